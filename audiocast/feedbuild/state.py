"""The state file: what a built feed contains, kept beside it in the output folder.

One JSON document (``.audiocast-state.json``; hidden, so ``audiocast serve`` never publishes it)
recording the show's ``podcast:guid`` and, per episode, its source key and hash, the engine (and
its version) that read it, GUID, files, exact byte length, duration, chapters and published date.
The next build compares the sources against it to make only what is new or changed. It is always
replaced atomically.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import write_text
from ..engines import Engine
from ..errors import PublishError
from ..models import Chapter
from ..publish.show import ShowEpisode

STATE_FILE = ".audiocast-state.json"
VERSION = 1


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
        return State(str(data["podcast_guid"]), tuple(_record(item) for item in data["episodes"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise _damaged(path, exc) from exc


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
    }


def _record(item: dict[str, Any]) -> EpisodeRecord:
    published = dt.datetime.fromisoformat(item["published"])
    episode = ShowEpisode(
        guid=str(item["guid"]),
        title=str(item["title"]),
        link=str(item["link"]),
        summary=str(item["summary"]),
        author=str(item["author"]),
        language=str(item["language"]),
        published=published,
        audio=str(item["file"]),
        length=int(item["length"]),
        duration_ms=int(item["duration_ms"]),
        chapters=tuple(Chapter(str(title), int(start), int(end)) for title, start, end in item["chapters"]),
        sidecars={str(kind): str(name) for kind, name in item["sidecars"].items()},
    )
    # States written before engines were recorded lack them; their episodes are made again.
    made_with = MadeWith(str(item.get("engine", "")), str(item.get("engine_version", "")))
    return EpisodeRecord(str(item["key"]), str(item["source_hash"]), episode, made_with)
