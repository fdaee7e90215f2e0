"""Helpers for the feed tests: write a feed definition, build it offline, read the result back."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import feedparser
import podcastparser

from audiocast.feedbuild import BuildOptions, BuildReport, build_feed, load_feed_config
from audiocast.feedbuild.state import STATE_DB
from audiocast.serve import Server, make_server

FEED_DATA = Path(__file__).resolve().parent / "data" / "feed"
ATOM = FEED_DATA / "atom-archive.xml"
ARTICLES = FEED_DATA / "articles"
MORE = FEED_DATA / "more"


def write_definition(folder: Path, source: Path | str, **keys: Any) -> Path:
    """A feed definition in ``folder`` building ``source`` into ``folder/public/show``."""
    values: dict[str, Any] = {
        "title": "Test Show",
        "description": "Short articles read aloud, for tests.",
        "author": "Test Newsroom",
        "email": "podcast@example.org",
        "language": "en",
        "category": "News",
        "subcategory": "Daily News",
        "base_url": "http://127.0.0.1:8000/show/",
        "source": str(source),
        "output": str(folder / "public" / "show"),
        "engine": "espeak",
        "keep": 20,
        "episode_art": False,  # the articles' images are on example.org: tests never fetch from the internet
    }
    values.update(keys)
    lines = [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in values.items()]
    path = folder / "show.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@contextlib.contextmanager
def state_records(output: Path) -> Iterator[list[dict[str, Any]]]:
    """The episode records in the state database of ``output``, as JSON objects with their key, to
    change as a hand edit or an older version might; written back (in list order) on leaving."""
    with contextlib.closing(sqlite3.connect(output / STATE_DB)) as database, database:
        rows = database.execute("SELECT key, record FROM episodes ORDER BY rowid").fetchall()
        records = [{**json.loads(text), "key": key} for key, text in rows]
        yield records
        database.execute("DELETE FROM episodes")
        database.executemany(
            "INSERT INTO episodes (key, record) VALUES (?, ?)",
            [(record["key"], json.dumps({k: v for k, v in record.items() if k != "key"})) for record in records],
        )


def copy_articles(destination: Path, *sources: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    for source in sources:
        for article in sorted(source.glob("*.md")) if source.is_dir() else [source]:
            shutil.copy(article, destination / article.name)
    return destination


@dataclass
class CountingProgress:
    """A real ``BuildProgress`` that counts what the pipeline reports: episodes and clips."""

    episodes: list[str] = field(default_factory=list)
    clips: int = 0

    def episode(self, number: int, total: int, title: str) -> None:
        self.episodes.append(title)

    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self) -> None:
        self.clips += 1


def build(definition: Path, cache: Path, progress: CountingProgress | None = None, **options: Any) -> BuildReport:
    """Build offline with the clip cache in ``cache``, one segment at a time (deterministic)."""
    config = load_feed_config(definition)
    return build_feed(config, BuildOptions(cache_dir=cache, jobs=1, **options), progress)


@contextlib.contextmanager
def served_build(folder: Path, source: Path, **keys: Any) -> Iterator[tuple[Server, BuildReport]]:
    """Serve ``folder/public`` on 127.0.0.1 (a free port) and build ``source`` into its ``show/``; ``keys``
    as for :func:`write_definition`."""
    public = folder / "public"
    public.mkdir()
    with make_server(public, port=0) as server:
        server.start()
        definition = write_definition(
            folder, source, base_url=f"{server.url}show/", output=str(public / "show"), **keys
        )
        yield server, build(definition, folder / "cache")


def parsed(feed_file: Path) -> tuple[Any, dict[str, Any]]:
    """The feed as feedparser and as podcastparser (gPodder's parser) read it."""
    data = feed_file.read_bytes()
    with_feedparser = feedparser.parse(data)
    assert not with_feedparser.bozo, with_feedparser.get("bozo_exception")
    self_url = next(link.href for link in with_feedparser.feed.links if link.rel == "self")
    return with_feedparser, podcastparser.parse(self_url, io.BytesIO(data))


def local_file(output: Path, base_url: str, url: str) -> Path:
    """The file in ``output`` that an absolute URL under ``base_url`` names."""
    assert url.startswith(base_url), f"{url} is not under {base_url}"
    return output / url.removeprefix(base_url)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def episode_files(output: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((output / "episodes").iterdir())}


_BUILD_DATES = re.compile(rb"<(lastBuildDate|pubDate)>[^<]*</\1>")


def feed_without_dates(output: Path) -> bytes:
    """feed.xml without the dates a build writes (the build's time): everything else must be identical."""
    return _BUILD_DATES.sub(b"", (output / "feed.xml").read_bytes())
