"""feed.xml: a podcast RSS 2.0 feed rendered with feedgen, plus what feedgen cannot write.

Owns the mapping from ``Show``/``ShowEpisode`` to RSS, iTunes, Podcasting 2.0 and Podlove Simple
Chapters elements. The rules behind the odd parts are in shared/reference/podcast-feed-standards.md:

- feedgen 1.0 only writes ``itunes:explicit`` as yes/no/clean; Apple and PSP-1 want true/false,
  so ``PodcastExtras`` writes it instead (§3.1, §1.2).
- feedgen has no ``podcast:`` or ``psc:`` support; the namespaces must be declared by the
  *feed-level* extension or items come out as ``ns0:``, which AntennaPod ignores (§3.2, §5.2).
- The podcast namespace uses its canonical URI. gPodder's podcastparser only knows the GitHub URI
  and skips these tags (§5.1), so chapters are also written inline as ``psc:chapters``, which it reads.
- ``fg.link()``: the RSS ``<link>`` is the *last* link added, so ``rel=self`` goes first (§3.1).
- Enclosure lengths are the exact size of the tagged file; feedgen writes "None" if left out.
- An episode's own art is written as the item's ``itunes:image`` by ``PodcastEntryExtras``, not by
  feedgen's ``itunes_image``, which silently drops a URL not ending in ``.jpg``/``.png`` (§3.1).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Sequence
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from ..links import safe_link
from .show import ART, Show, ShowEpisode, newest_first
from .timecodes import vtt_time
from .words import interface_words

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
PSC = "http://podlove.org/simple-chapters"

TRANSCRIPT_TYPES = {"vtt": "text/vtt", "srt": "application/x-subrip", "words": "application/json"}
"""Sidecar kind → ``podcast:transcript`` type, best first. AntennaPod ignores ``text/srt`` (§5.2). The
JSON transcript (every word timed) comes last: feedparser keeps only the last transcript of an item."""


class PodcastExtras(BaseExtension):  # type: ignore[misc]
    """Channel elements feedgen lacks: ``itunes:explicit`` true/false, ``podcast:guid``/``locked``."""

    def __init__(self) -> None:
        self.explicit: bool | None = None
        self.guid: str | None = None
        self.locked: bool | None = None
        self.owner: str = ""

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST, "psc": PSC}

    def extend_rss(self, rss: Any) -> Any:
        channel = rss[0]
        if self.explicit is not None:
            xml_elem(f"{{{ITUNES}}}explicit", channel).text = _true_false(self.explicit)
        if self.guid:
            xml_elem(f"{{{PODCAST}}}guid", channel).text = self.guid
        if self.locked is not None:
            locked = xml_elem(f"{{{PODCAST}}}locked", channel)
            locked.text = "yes" if self.locked else "no"
            if self.owner:
                locked.attrib["owner"] = self.owner
        return rss

    def extend_atom(self, feed: Any) -> Any:
        return feed


class PodcastEntryExtras(BaseEntryExtension):  # type: ignore[misc]
    """Item elements feedgen lacks or drops: explicit, the episode's art, transcripts, JSON chapters and
    inline psc chapters."""

    def __init__(self) -> None:
        self.explicit: bool | None = None
        self.transcripts: list[dict[str, str]] = []
        self.chapters_url: str = ""
        self.chapters: list[tuple[int, str]] = []
        self.image_url: str = ""

    def extend_rss(self, item: Any) -> Any:
        if self.image_url:
            xml_elem(f"{{{ITUNES}}}image", item, href=self.image_url)
        if self.explicit is not None:
            xml_elem(f"{{{ITUNES}}}explicit", item).text = _true_false(self.explicit)
        for attributes in self.transcripts:
            xml_elem(f"{{{PODCAST}}}transcript", item, **attributes)
        if self.chapters_url:
            xml_elem(f"{{{PODCAST}}}chapters", item, url=self.chapters_url, type="application/json+chapters")
        if self.chapters:
            # Podlove Simple Chapters 1.2: start is normal play time, HH:MM:SS.mmm.
            block = xml_elem(f"{{{PSC}}}chapters", item, version="1.2")
            for start_ms, title in self.chapters:
                xml_elem(f"{{{PSC}}}chapter", block, start=vtt_time(start_ms), title=title)
        return item

    def extend_atom(self, entry: Any) -> Any:
        return entry


def _true_false(value: bool) -> str:
    return "true" if value else "false"


# Show field → feedgen call; order matters only for links (self first, see the module docstring).
# Keep the README's feed key table in sync.
_CHANNEL: tuple[Callable[[FeedGenerator, Show], object], ...] = (
    lambda fg, show: fg.title(show.title),
    lambda fg, show: fg.description(show.description),
    lambda fg, show: fg.link(href=show.feed_url, rel="self", type="application/rss+xml"),
    lambda fg, show: fg.link(href=show.link, rel="alternate"),
    lambda fg, show: fg.language(show.language.lower()),
    lambda fg, show: fg.generator("audiocast"),
    lambda fg, show: fg.image(url=show.url(show.cover), title=show.title, link=show.link),
    lambda fg, show: fg.podcast.itunes_image(show.url(show.cover)),
    lambda fg, show: fg.podcast.itunes_author(show.author),
    lambda fg, show: fg.podcast.itunes_owner(name=show.owner_name, email=show.owner_email),
    lambda fg, show: fg.podcast.itunes_summary(show.description),
    lambda fg, show: fg.podcast.itunes_type(show.kind),
    lambda fg, show: fg.podcast.itunes_category(_category(show)),
    lambda fg, show: setattr(fg.extras, "explicit", show.explicit),
    lambda fg, show: setattr(fg.extras, "guid", show.guid),
    lambda fg, show: setattr(fg.extras, "locked", show.locked),
    lambda fg, show: setattr(fg.extras, "owner", show.owner_email),
)

_ITEM: tuple[Callable[[FeedEntry, Show, ShowEpisode], object], ...] = (
    lambda fe, show, ep: fe.guid(ep.guid, permalink=False),
    lambda fe, show, ep: fe.title(ep.title),
    lambda fe, show, ep: fe.link(href=safe_link(ep.link) or show.episode_page_url(ep)),
    lambda fe, show, ep: fe.pubDate(ep.published),
    lambda fe, show, ep: fe.description(_description(ep)),
    lambda fe, show, ep: fe.content(_show_notes(ep), type="CDATA"),
    lambda fe, show, ep: fe.enclosure(show.url(ep.audio), str(ep.length), "audio/mpeg"),
    lambda fe, show, ep: fe.podcast.itunes_duration(ep.duration_seconds),
    lambda fe, show, ep: fe.podcast.itunes_author(ep.author or show.author),
    lambda fe, show, ep: fe.podcast.itunes_episode_type("full"),
    lambda fe, show, ep: setattr(fe.extras, "explicit", show.explicit),
    lambda fe, show, ep: setattr(fe.extras, "transcripts", _transcripts(show, ep)),
    lambda fe, show, ep: setattr(fe.extras, "chapters_url", _sidecar_url(show, ep, "chapters")),
    lambda fe, show, ep: setattr(fe.extras, "chapters", [(c.start_ms, c.title) for c in ep.chapters]),
    lambda fe, show, ep: setattr(fe.extras, "image_url", _sidecar_url(show, ep, ART)),
)


def render_feed(show: Show, episodes: Sequence[ShowEpisode]) -> bytes:
    """The feed as UTF-8 XML bytes, episodes newest first.

    Output depends only on the inputs (``lastBuildDate`` is the newest episode's date), so an
    unchanged feed rebuilds byte-identical and HTTP validators stay valid.
    """
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("extras", PodcastExtras, PodcastEntryExtras)
    for apply in _CHANNEL:
        apply(fg, show)
    ordered = newest_first(episodes)
    for episode in ordered:
        entry = fg.add_entry(order="append")
        for apply_item in _ITEM:
            apply_item(entry, show, episode)
    newest = ordered[0].published if ordered else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    fg.lastBuildDate(newest)
    data: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return data


def _category(show: Show) -> dict[str, str]:
    category = {"cat": show.category}
    if show.subcategory:
        category["sub"] = show.subcategory
    return category


def _sidecar_url(show: Show, episode: ShowEpisode, kind: str) -> str:
    relative = episode.sidecars.get(kind)
    return show.url(relative) if relative else ""


def _transcripts(show: Show, episode: ShowEpisode) -> list[dict[str, str]]:
    """VTT, SRT and the JSON word transcript, all timed (``rel="captions"``), in the episode's language."""
    found = []
    for kind, mime in TRANSCRIPT_TYPES.items():
        url = _sidecar_url(show, episode, kind)
        if url:
            found.append({"url": url, "type": mime, "language": episode.language.lower(), "rel": "captions"})
    return found


def _read_more(episode: ShowEpisode) -> str:
    link = safe_link(episode.link)
    if not link:
        return ""
    words = interface_words(episode.language)["article"]
    return f'<p><a href="{html.escape(link)}">{html.escape(words)}</a></p>'


def _description(episode: ShowEpisode) -> str:
    """The synopsis: summary and the article's link, in the HTML Apple allows (p, a)."""
    return f"<p>{html.escape(episode.summary)}</p>{_read_more(episode)}"


def _show_notes(episode: ShowEpisode) -> str:
    """``content:encoded``: the synopsis plus a timestamped chapter list.

    Apple (iOS 26.2+) and Spotify read chapters from description timestamps when the list starts
    at 0:00:00 and has at least three entries (podcast-feed-standards §1.4).
    """
    notes = _description(episode)
    if episode.chapters:
        items = "".join(
            f"<li>{vtt_time(chapter.start_ms)[:8]} {html.escape(chapter.title)}</li>" for chapter in episode.chapters
        )
        notes += f"<ol>{items}</ol>"
    return notes
