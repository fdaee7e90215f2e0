"""Podcasting 2.0 JSON chapters (version 1.2.0) from the timeline.

The navigation chapters (one per section) come first in meaning: a figure read as an aside adds a
silent chapter (``toc: false``, hidden from the table of contents and the jump list), so that a
player shows the figure's picture (``img``) while its caption is read. Only a figure whose picture
is there is a chapter (``with_pictures``): offline, the chapters are the navigation alone, as before.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..models import Script, Timeline
from ..text import shorten

VERSION = "1.2.0"
FIGURE_TITLE_CHARACTERS = 120
"""A caption can run to a paragraph; a chapter title is a line in a player."""


@dataclass(frozen=True)
class FigureChapter:
    """Where a figure's caption is read, and the address of its picture."""

    title: str
    start_ms: int
    end_ms: int
    image: str


def figure_chapters(timeline: Timeline) -> tuple[FigureChapter, ...]:
    """A chapter for each aside that reads a figure, from its first segment to the end of its last
    (a long caption is read in several)."""
    placed = timeline.placed
    figures = []
    for index, item in enumerate(placed):
        if item.segment.image:
            last = next((later for later in placed[index:] if later.segment.ends_paragraph), placed[-1])
            title = shorten(item.segment.text, FIGURE_TITLE_CHARACTERS)
            figures.append(FigureChapter(title, item.start_ms, last.end_ms, item.segment.image))
    return tuple(figures)


def figure_images(script: Script) -> tuple[str, ...]:
    """The picture of each figure the script reads, in reading order."""
    return tuple(segment.image for segment in script.segments if segment.image)


def with_pictures(script: Script, addresses: Mapping[str, str]) -> Script:
    """``script`` with each figure's image address replaced by where its picture is published
    (``addresses``, by the article's address), or cleared when it has none: a figure without its
    picture is no chapter (offline, or the image could not be used)."""
    segments = tuple(
        dataclasses.replace(segment, image=addresses.get(segment.image, "")) if segment.image else segment
        for segment in script.segments
    )
    return dataclasses.replace(script, segments=segments)


def to_chapters_json(timeline: Timeline, title: str) -> str:
    """The chapters file a ``podcast:chapters`` element points at: the navigation chapters and the
    figures' silent ones, in order of their start (ties: the navigation chapter first).

    Times are seconds (floats), as the Podcasting 2.0 chapters spec requires.
    """
    chapters: list[dict[str, Any]] = [
        {"startTime": chapter.start_ms / 1000, "endTime": chapter.end_ms / 1000, "title": chapter.title}
        for chapter in timeline.chapters
    ]
    chapters += [
        {"startTime": f.start_ms / 1000, "endTime": f.end_ms / 1000, "title": f.title, "img": f.image, "toc": False}
        for f in figure_chapters(timeline)
    ]
    chapters.sort(key=lambda chapter: chapter["startTime"])  # a stable sort: ties keep the order above
    return _dumps({"version": VERSION, "title": title, "chapters": chapters})


def relocated(document: str, urls: Mapping[str, str]) -> str:
    """``document`` (as ``to_chapters_json`` wrote it) with each ``img`` whose file name is a key of
    ``urls`` at that key's URL instead: a feed's chapter pictures follow its ``base_url``.

    >>> old = '{"chapters": [{"startTime": 1.5, "img": "https://a.example/e/x.fig1.jpg", "toc": false}]}'
    >>> json.loads(relocated(old, {"x.fig1.jpg": "http://b.example/e/x.fig1.jpg"}))["chapters"][0]["img"]
    'http://b.example/e/x.fig1.jpg'

    Raises ValueError when ``document`` is not such a file.
    """
    parsed = json.loads(document)
    if not isinstance(parsed, dict) or not isinstance(parsed.get("chapters"), list):
        raise ValueError("not a JSON chapters file")
    for chapter in parsed["chapters"]:
        image = chapter.get("img") if isinstance(chapter, dict) else None
        if isinstance(image, str) and image.rsplit("/", 1)[-1] in urls:
            chapter["img"] = urls[image.rsplit("/", 1)[-1]]
    return _dumps(parsed)


def _dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
