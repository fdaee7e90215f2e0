"""The state file: what a built feed contains, kept beside it in the output folder.

One JSON document (``.audiocast-state.json``; hidden, so ``audiocast serve`` never publishes it)
recording the show's ``podcast:guid`` and, per episode, its source key and hash, the engine (and
its version) that read it, GUID, files, exact byte length, duration, chapters and published date.
The next build compares the sources against it to make only what is new or changed. It is always
replaced atomically.

Records are checked as they are loaded, since an older version (or a hand edit) may have written
one that cannot be published: a missing field, a wrong type, a control character in a title, a
``javascript:`` link or a file outside the output folder. Such a record is dropped with a warning,
so its episode leaves the feed and is made again while its source still lists it; the rest of the
state stands. Only a file that is not a state document at all is an error.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..atomic import write_text
from ..engines import Engine
from ..errors import PublishError
from ..models import Chapter
from ..publish.show import ShowEpisode

log = logging.getLogger(__name__)

STATE_FILE = ".audiocast-state.json"
VERSION = 1

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

    def with_record(self, record: EpisodeRecord) -> State:
        """This state with ``record`` added, or replacing the record of the same key."""
        others = tuple(existing for existing in self.episodes if existing.key != record.key)
        return State(self.podcast_guid, (*others, record))


def load_state(folder: Path) -> State | None:
    """The state saved in ``folder``, or ``None`` before the first build."""
    path = folder / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise _damaged(path, exc) from exc
    try:
        if data["version"] != VERSION:
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


def save_state(folder: Path, state: State) -> None:
    document = {
        "version": VERSION,
        "podcast_guid": state.podcast_guid,
        "episodes": [_document(record) for record in state.episodes],
    }
    write_text(folder / STATE_FILE, json.dumps(document, ensure_ascii=False, indent=1) + "\n")


def _damaged(path: Path, exc: Exception) -> PublishError:
    return PublishError(f"{path}: state file is damaged ({exc}); delete it to rebuild the feed from scratch")


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
