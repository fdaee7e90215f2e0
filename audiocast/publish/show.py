"""What the feed and the web page know about a show and its episodes: plain values, no I/O.

The feed builder fills these from the feed definition and its state file; ``publish.feed`` and
``publish.site`` render them. File locations are paths relative to the output folder, so the same
values give absolute URLs in feed.xml (under ``base_url``) and relative links in index.html.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..links import safe_link
from ..models import Chapter, Cue
from ..text import is_clean

# Podcasting 2.0 <podcast:guid>: UUIDv5 of the feed URL without scheme and trailing slashes, in
# this namespace (podcast-namespace docs/tags/guid.md).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def podcast_guid(feed_url: str) -> str:
    """The ``<podcast:guid>`` for a feed address.

    >>> podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml")
    '917393e3-1b1e-5cef-ace4-edaa54e1f810'
    """
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, _SCHEME.sub("", feed_url).rstrip("/")))


@dataclass(frozen=True, kw_only=True)
class ShowInfo:
    """What a feed definition says about the podcast itself (its ``[channel]``)."""

    title: str
    description: str
    author: str
    owner_name: str
    owner_email: str
    language: str
    category: str
    subcategory: str = ""
    explicit: bool = False
    link: str
    """The show's web page; the feed's ``<link>``."""
    base_url: str
    """Absolute URL of the output folder, ending in ``/``."""
    locked: bool = True
    kind: str = "episodic"

    def __post_init__(self) -> None:
        if not self.base_url.endswith("/"):
            raise ValueError(f"base_url must end with '/', got {self.base_url!r}")
        texts = (
            self.title,
            self.description,
            self.author,
            self.owner_name,
            self.owner_email,
            self.category,
            self.subcategory,
        )
        if not all(map(is_clean, texts)):
            raise ValueError("show text has control characters")  # feed definitions refuse them at load

    def url(self, relative: str) -> str:
        """The absolute, percent-encoded URL of a file in the output folder.

        >>> Show.example().url("episodes/a b.mp3")
        'https://example.org/show/episodes/a%20b.mp3'
        """
        return urllib.parse.urljoin(self.base_url, urllib.parse.quote(relative))

    @property
    def feed_url(self) -> str:
        return self.url(FEED_FILE)

    def episode_page_url(self, episode: ShowEpisode) -> str:
        """The episode's place on the show's site (its ``<article>`` on the page that lists it)."""
        return f"{self.url(episode.page)}#{episode_anchor(episode.guid)}"


def episode_anchor(guid: str) -> str:
    """The HTML id of an episode's ``<article>`` on the site's pages.

    >>> episode_anchor("4682c08c-df05-5c22-bff5-f42b88154f91")
    'ep-4682c08c-df05-5c22-bff5-f42b88154f91'
    """
    return f"ep-{guid}"


@dataclass(frozen=True, kw_only=True)
class Show(ShowInfo):
    """The channel as published: the definition's info plus what a build decided."""

    cover: str
    """Cover image file name relative to the output folder."""
    guid: str
    """The ``<podcast:guid>``, assigned once and kept for life (the state file keeps it)."""

    @classmethod
    def example(cls) -> Show:
        """A small valid show, for doctests and tests."""
        return cls(
            title="Example",
            description="An example show.",
            author="Example Author",
            owner_name="Example Author",
            owner_email="owner@example.org",
            language="en",
            category="News",
            link="https://example.org/",
            base_url="https://example.org/show/",
            cover="cover.jpg",
            guid=podcast_guid("https://example.org/show/feed.xml"),
        )


FEED_FILE = "feed.xml"
INDEX_FILE = "index.html"
ART = "art"
"""The sidecar kind of an episode's own picture (square JPEG art beside its MP3)."""


@dataclass(frozen=True, kw_only=True)
class ShowEpisode:
    """One published episode: its identity, its article's metadata and its files."""

    guid: str
    title: str
    link: str
    summary: str
    author: str = ""
    language: str
    published: dt.datetime
    audio: str
    """The MP3, relative to the output folder."""
    length: int
    """Exact byte size of the tagged MP3 (the enclosure length)."""
    duration_ms: int
    chapters: tuple[Chapter, ...] = ()
    sidecars: Mapping[str, str] = field(default_factory=dict)
    """Kind (``vtt``, ``srt``, ``chapters``, ``txt``, and ``ART`` when the episode has its own
    picture) → file relative to the output folder."""
    art_alt: str = ""
    """The caption of the episode's picture: its ``alt`` on the web page."""
    transcript: str = ""
    """Plain-text transcript, shown on the web page."""
    cues: tuple[Cue, ...] = ()
    """The caption cues (read back from the WebVTT sidecar): they time the transcript's sentences on
    the web page. Like ``transcript``, filled in only to render the page."""
    page: str = INDEX_FILE
    """The site's page that lists the episode (``index.html`` or an older page); filled in to publish."""

    def __post_init__(self) -> None:
        if self.published.tzinfo is None:
            raise ValueError("ShowEpisode.published must be timezone-aware")
        if self.length <= 0:
            raise ValueError(f"{self.audio}: enclosure length must be positive")
        if self.link and safe_link(self.link) is None:
            raise ValueError(f"link is not an http(s) address: {self.link[:80]!r}")
        texts = (
            self.guid, self.title, self.summary, self.author, self.language, self.art_alt,
            *(c.title for c in self.chapters),
        )  # fmt: skip
        if not all(map(is_clean, texts)):
            raise ValueError("text has control characters")
        for name in (self.audio, *self.sidecars.values()):
            if not _inside_output(name):
                raise ValueError(f"{name[:80]!r} is not a file inside the output folder")

    @property
    def duration_seconds(self) -> int:
        """Whole seconds, rounded; ``itunes:duration`` wants an integer (Apple RSS guide).

        >>> import datetime as dt
        >>> episode = ShowEpisode(guid="g", title="t", link="", summary="", language="en",
        ...     published=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), audio="a.mp3", length=1, duration_ms=61_500)
        >>> episode.duration_seconds
        62
        """
        return max(1, (self.duration_ms + 500) // 1000)


def newest_first(episodes: Sequence[ShowEpisode]) -> list[ShowEpisode]:
    """Episodes in the order every listing gives them: newest first, ties broken by GUID so that a
    rebuild lists them in the same order."""
    return sorted(episodes, key=lambda ep: (ep.published, ep.guid), reverse=True)


def _inside_output(name: str) -> bool:
    """Whether ``name`` is a relative path that stays inside the output folder. No colon either: a
    browser reads ``javascript:x`` in an ``href`` as a scheme, not as a file name.

    >>> _inside_output("episodes/a.mp3"), _inside_output("../secret.txt"), _inside_output("/etc/passwd")
    (True, False, False)
    >>> _inside_output("javascript:alert(1)")
    False
    """
    path = PurePosixPath(name)
    plain = bool(name) and is_clean(name) and not any(char in name for char in ":\\")
    return plain and not path.is_absolute() and ".." not in path.parts
