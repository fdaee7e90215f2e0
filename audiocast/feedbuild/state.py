"""The state database: what a built feed contains, kept beside it in the output folder.

An SQLite database (``.audiocast-state.db``; hidden, so ``audiocast serve`` never publishes it)
recording the show's ``podcast:guid`` and, one row per episode, its source key and hash, the engine
(and its version) that read it, GUID, files, exact byte length, duration, chapters and published
date. The next build compares the sources against it to make only what is new or changed. A build
writes the row of each episode as it finishes, in a transaction of its own, so an interrupted build
loses at most the episode it was making; the cost of a write does not grow with the archive.

The database uses SQLite's rollback journal (``journal_mode=DELETE``) with ``synchronous=FULL``:
between writes it is one self-contained file (a published folder copied or synced never carries a
half state), the journal exists only while a write runs, and a commit is on disk before the build
goes on. WAL would keep ``-wal``/``-shm`` files beside it for as long as it is open, needs shared
memory (no network file systems), and buys concurrent readers a build does not have. A build
killed mid-write (kill -9) leaves a journal that the next open rolls back (SQLite's own recovery).
Two builds never write at once: the build holds the output folder's lock, and every connection
waits up to ``BUSY_SECONDS`` for another's write (a reader such as a benchmark beside a build).
A new database is written whole under a temporary name and renamed into place.

Older audiocast kept the state as one JSON document, ``.audiocast-state.json``, rewritten in full
after every episode. A build that finds one migrates it: the database is written from it (under a
temporary name, renamed into place) and only then is the JSON file deleted, so a build killed in
between migrates it again and no state is ever lost. Since this code never writes that file, one
that is present is always the newest state (an older audiocast may have built the feed since), and
it replaces the database.

Records are checked as they are loaded, since an older version (or a hand edit) may have written
one that cannot be published: a missing field, a wrong type, a control character in a title, a
``javascript:`` link or a file outside the output folder. Such a record is dropped with a warning,
so its episode leaves the feed and is made again while its source still lists it; the rest of the
state stands. A file that is not an audiocast state at all (another program's database, a damaged
file) is an error, and is left as it is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..atomic import atomic_path
from ..engines import Engine
from ..errors import OutputWriteError, PublishError
from ..models import Chapter
from ..publish.show import ShowEpisode

log = logging.getLogger(__name__)

STATE_DB = ".audiocast-state.db"
JSON_STATE = ".audiocast-state.json"
"""The state as older audiocast kept it; migrated into ``STATE_DB`` by the next build."""
JSON_VERSION = 1
APPLICATION_ID = 0x61636173
"""``PRAGMA application_id`` of a state database ("acas"): tells it from any other SQLite file."""
SCHEMA_VERSION = 1
"""``PRAGMA user_version``: bump, with a migration, when the tables change."""
BUSY_SECONDS = 30.0
"""How long a connection waits for another one's write (a reader beside a build) before it fails."""
_SCHEMA = (
    "CREATE TABLE show (podcast_guid TEXT NOT NULL)",
    # record: the episode's fields as JSON (the JSON state's episode object, less its key)
    "CREATE TABLE episodes (key TEXT PRIMARY KEY, record TEXT NOT NULL)",
)

_T = TypeVar("_T")


@dataclass(frozen=True)
class MadeWith:
    """The engine that read an episode, and its version (``Engine.version``)."""

    engine: str
    version: str

    @classmethod
    def of(cls, engine: Engine) -> MadeWith:
        return cls(engine.name, engine.version)


@dataclass(frozen=True)
class EpisodeRecord:
    """A published episode, the source it was made from and the engine that read it."""

    key: str
    source_hash: str
    """The article's content, the voice profile and the render version; not the engine."""
    episode: ShowEpisode
    made_with: MadeWith = MadeWith("", "")


@dataclass(frozen=True)
class State:
    podcast_guid: str
    episodes: tuple[EpisodeRecord, ...] = ()

    def by_key(self) -> dict[str, EpisodeRecord]:
        return {record.key: record for record in self.episodes}


class StateStore:
    """The open state database of an output folder: the state as loaded, and its writes."""

    def __init__(self, path: Path, connection: sqlite3.Connection, state: State, rows: dict[str, str]) -> None:
        self.path = path
        self.state = state
        """The state as it was when opened."""
        self._connection = connection
        self._rows = rows
        """Each episode row's record as the database holds it, by key: what a save may skip."""

    def record(self, record: EpisodeRecord) -> None:
        """Add ``record``, or replace the record of its key, and commit it to disk."""
        self._write([record], ())

    def keep_only(self, records: Iterable[EpisodeRecord]) -> None:
        """Make the episode rows exactly ``records``, in one transaction; rows that did not change are
        not written (a build with nothing new writes nothing)."""
        wanted = {record.key: record for record in records}
        changed = [record for key, record in wanted.items() if self._rows.get(key) != _row_text(record)]
        self._write(changed, [key for key in self._rows if key not in wanted])

    def _write(self, records: Sequence[EpisodeRecord], removed: Sequence[str]) -> None:
        if not records and not removed:
            return
        rows = [(record.key, _row_text(record)) for record in records]
        try:
            with _transaction(self._connection):
                self._connection.executemany("DELETE FROM episodes WHERE key = ?", [(key,) for key in removed])
                self._connection.executemany("INSERT OR REPLACE INTO episodes (key, record) VALUES (?, ?)", rows)
        except sqlite3.Error as exc:
            raise OutputWriteError(f"{self.path}: cannot be written ({exc})") from exc
        for key in removed:
            del self._rows[key]
        self._rows.update(rows)

    def close(self) -> None:
        self._connection.close()


@contextlib.contextmanager
def open_state(folder: Path, podcast_guid: str) -> Iterator[StateStore]:
    """The state database of ``folder``, made (with ``podcast_guid``) before the first build and
    migrated from the JSON state when there is one; the caller holds the folder's build lock."""
    path = folder / STATE_DB
    json_path = folder / JSON_STATE
    if json_path.exists():
        _write_new(path, _load_json(json_path))
        json_path.unlink()
        log.info("%s: moved the state into %s", json_path, path.name)
    elif not path.exists():
        _write_new(path, State(podcast_guid))
    store = _open(path)
    try:
        yield store
    finally:
        store.close()


def load_state(folder: Path) -> State | None:
    """The state saved in ``folder`` (a JSON state not yet migrated included), or ``None`` before the
    first build; writes nothing."""
    if (folder / JSON_STATE).exists():
        return _load_json(folder / JSON_STATE)
    if not (folder / STATE_DB).exists():
        return None
    store = _open(folder / STATE_DB)
    store.close()
    return store.state


def _open(path: Path) -> StateStore:
    """Connect to the database at ``path`` and load it; a file that is not one of ours is left alone."""
    try:
        connection = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        raise _damaged(path, exc) from exc
    try:
        _check_identity(path, connection)
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("PRAGMA synchronous = FULL")
        [(guid,)] = connection.execute("SELECT podcast_guid FROM show").fetchall()
        rows = dict(connection.execute("SELECT key, record FROM episodes ORDER BY rowid").fetchall())
        _of(guid, str)
    except (sqlite3.Error, ValueError, TypeError) as exc:
        connection.close()
        raise _damaged(path, exc) from exc
    except PublishError:
        connection.close()
        raise
    checked = (_checked_record(path, {**_row_fields(text), "key": key}) for key, text in rows.items())
    state = State(guid, tuple(record for record in checked if record is not None))
    return StateStore(path, connection, state, rows)


def _check_identity(path: Path, connection: sqlite3.Connection) -> None:
    [(application_id,)] = connection.execute("PRAGMA application_id").fetchall()
    if application_id != APPLICATION_ID:
        raise PublishError(f"{path}: not an audiocast state database; move it away to rebuild the feed from scratch")
    [(schema,)] = connection.execute("PRAGMA user_version").fetchall()
    if schema != SCHEMA_VERSION:
        raise PublishError(f"{path}: state database of another audiocast version (schema {schema}); update audiocast")


def _write_new(path: Path, state: State) -> None:
    """Write a database holding ``state`` under a temporary name and rename it to ``path``."""
    with atomic_path(path) as temporary:
        connection = sqlite3.connect(temporary, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode = OFF")  # a half-written temporary file is discarded whole
            with _transaction(connection):
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                for statement in _SCHEMA:
                    connection.execute(statement)
                connection.execute("INSERT INTO show (podcast_guid) VALUES (?)", (state.podcast_guid,))
                connection.executemany(
                    "INSERT OR REPLACE INTO episodes (key, record) VALUES (?, ?)",
                    [(record.key, _row_text(record)) for record in state.episodes],
                )
        except sqlite3.Error as exc:
            raise OutputWriteError(f"{path}: cannot be written ({exc})") from exc
        finally:
            connection.close()


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _load_json(path: Path) -> State:
    """The state an older audiocast saved as JSON at ``path``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _damaged(path, exc) from exc
    try:
        if data["version"] != JSON_VERSION:
            raise ValueError(f"version {data['version']!r}")
        guid = _typed(data, "podcast_guid", str)
        items = _typed(data, "episodes", list)
    except (KeyError, TypeError, ValueError) as exc:
        raise _damaged(path, exc) from exc
    return State(guid, tuple(record for item in items if (record := _checked_record(path, item)) is not None))


def _checked_record(path: Path, item: Any) -> EpisodeRecord | None:
    """The record ``item`` describes, or None (with a warning) when it cannot be published."""
    try:
        return _record(item)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        name = item.get("title") or item.get("key") if isinstance(item, dict) else None
        shown = repr(name)[:80] if name else "without a name"
        log.warning(
            "%s: episode %s cannot be published (%s: %s); dropped from the feed, made again while its source lists it",
            path, shown, type(exc).__name__, exc,
        )  # fmt: skip
        return None


def _damaged(path: Path, exc: Exception) -> PublishError:
    return PublishError(f"{path}: state file is damaged ({exc}); delete it to rebuild the feed from scratch")


def _row_text(record: EpisodeRecord) -> str:
    fields = _document(record)
    del fields["key"]  # the row's key column
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def _row_fields(text: str) -> dict[str, Any]:
    """A row's record as a dict; one that is not a JSON object comes back empty, and so is dropped."""
    try:
        fields = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return fields if isinstance(fields, dict) else {}


def _document(record: EpisodeRecord) -> dict[str, Any]:
    episode = record.episode
    return {
        "key": record.key,
        "source_hash": record.source_hash,
        "engine": record.made_with.engine,
        "engine_version": record.made_with.version,
        "guid": episode.guid,
        "title": episode.title,
        "link": episode.link,
        "summary": episode.summary,
        "author": episode.author,
        "language": episode.language,
        "published": episode.published.isoformat(),
        "file": episode.audio,
        "length": episode.length,
        "duration_ms": episode.duration_ms,
        "chapters": [[chapter.title, chapter.start_ms, chapter.end_ms] for chapter in episode.chapters],
        "sidecars": dict(episode.sidecars),
        "art_alt": episode.art_alt,
    }


def _record(item: dict[str, Any]) -> EpisodeRecord:
    """A record from its JSON; every field must have its type (``ShowEpisode`` checks the values)."""
    episode = ShowEpisode(
        guid=_typed(item, "guid", str),
        title=_typed(item, "title", str),
        link=_typed(item, "link", str),
        summary=_typed(item, "summary", str),
        author=_typed(item, "author", str),
        language=_typed(item, "language", str),
        published=dt.datetime.fromisoformat(_typed(item, "published", str)),
        audio=_typed(item, "file", str),
        length=_typed(item, "length", int),
        duration_ms=_typed(item, "duration_ms", int),
        chapters=tuple(_chapter(chapter) for chapter in _typed(item, "chapters", list)),
        sidecars={_of(kind, str): _of(name, str) for kind, name in _typed(item, "sidecars", dict).items()},
        art_alt=_of(item.get("art_alt", ""), str),  # states written before episode art lack it
    )
    # States written before engines were recorded lack them; their episodes are made again.
    made_with = MadeWith(str(item.get("engine", "")), str(item.get("engine_version", "")))
    return EpisodeRecord(_typed(item, "key", str), _typed(item, "source_hash", str), episode, made_with)


def _chapter(value: Any) -> Chapter:
    title, start, end = _of(value, list)
    return Chapter(_of(title, str), _of(start, int), _of(end, int))


def _typed(item: dict[str, Any], key: str, kind: type[_T]) -> _T:
    try:
        return _of(item[key], kind)
    except TypeError:
        raise TypeError(f"{key!r} is not a {kind.__name__}") from None


def _of(value: Any, kind: type[_T]) -> _T:
    """``value`` when it is a ``kind`` (a bool is no int here), else TypeError."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{value!r:.40} is not a {kind.__name__}")
    return value
