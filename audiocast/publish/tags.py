"""ID3v2.3 tags with mutagen: the only module that imports mutagen.

v2.3 rather than v2.4 because many car stereos, Windows Explorer and older players read only
v2.3 (mutagen converts UTF-8 text frames to UTF-16 for it). Which field goes into which frame
is the table ``FRAMES``; keep the README's tag list in sync with it.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TENC,
    TIT2,
    TLAN,
    TPE1,
    USLT,
    WOAS,
    CTOCFlags,
    Encoding,
    PictureType,
)

from ..errors import PublishError
from ..links import safe_link
from ..models import Chapter
from .chapters import FigureChapter

log = logging.getLogger(__name__)

ENCODER = "audiocast"
"""The ``TENC`` tag of every MP3 audiocast writes: how a later run knows the file is its own."""


@dataclass(frozen=True)
class EpisodeTags:
    title: str
    artist: str
    album: str
    date: dt.datetime
    language: str
    summary: str
    link: str
    transcript: str
    cover_jpeg: bytes
    chapters: tuple[Chapter, ...]
    figures: tuple[tuple[FigureChapter, bytes], ...] = ()
    """Figure chapters with their pictures (JPEG): a CHAP each, outside the table of contents."""
    genre: str = "Podcast"
    encoder: str = ENCODER


@functools.cache
def id3_language(language: str) -> str:
    """The ISO 639-2 code for a BCP-47 tag, as ID3 COMM/USLT/TLAN want: the bibliographic form
    where there is one (as players have read it since ID3v2.2), from pycountry's ISO 639 tables.

    >>> id3_language("zh-CN"), id3_language("en-US"), id3_language("ar-EG"), id3_language("vi-VN")
    ('chi', 'eng', 'ara', 'vie')
    >>> id3_language("yue-HK"), id3_language("fil-PH"), id3_language("xx")
    ('yue', 'fil', 'und')
    """
    import pycountry  # a fifth of a second to load: only when tagging

    code = language.split("-")[0].lower()
    found = pycountry.languages.get(**{"alpha_2" if len(code) == 2 else "alpha_3": code})
    if found is None:
        return "und"
    return str(getattr(found, "bibliographic", found.alpha_3))


_UTF8 = Encoding.UTF8

FRAMES: dict[str, Callable[[EpisodeTags], Any]] = {
    "title": lambda t: TIT2(encoding=_UTF8, text=t.title),
    "artist": lambda t: TPE1(encoding=_UTF8, text=t.artist),
    "album": lambda t: TALB(encoding=_UTF8, text=t.album),
    "date": lambda t: TDRC(encoding=_UTF8, text=t.date.strftime("%Y-%m-%d")),
    "language": lambda t: TLAN(encoding=_UTF8, text=id3_language(t.language)),
    "summary": lambda t: COMM(encoding=_UTF8, lang=id3_language(t.language), desc="", text=t.summary),
    "link": lambda t: _link_frame(t.link),
    "genre": lambda t: TCON(encoding=_UTF8, text=t.genre),
    "encoder": lambda t: TENC(encoding=_UTF8, text=t.encoder),
    "transcript": lambda t: USLT(encoding=_UTF8, lang=id3_language(t.language), desc="", text=t.transcript),
    "cover": lambda t: APIC(
        encoding=_UTF8, mime="image/jpeg", type=PictureType.COVER_FRONT, desc="Cover", data=t.cover_jpeg
    ),
}
"""Episode field → ID3 frame. Chapters (CHAP + CTOC) are added by ``_chapter_frames`` and
``_figure_frames``."""


def _link_frame(link: str) -> WOAS | None:
    """WOAS holds Latin-1 only, so an IRI is written as its URI; a non-http(s) link not at all."""
    uri = safe_link(link)
    return WOAS(url=uri) if uri else None


def write_tags(path: Path, tags: EpisodeTags) -> None:
    """Replace all ID3 tags of the MP3 at ``path`` with ``tags``, as ID3v2.3."""
    try:
        id3 = ID3()
        for build in FRAMES.values():
            frame = build(tags)
            if frame is not None:
                id3.add(frame)
        for frame in [*_chapter_frames(tags.chapters), *_figure_frames(tags.figures)]:
            id3.add(frame)
        id3.update_to_v23()  # save(v2_version=3) alone keeps v2.4 frames: TDRC would hide the date from v2.3 readers
        id3.save(path, v2_version=3, v23_sep="/", padding=lambda _info: 1024)
    except Exception as exc:  # mutagen raises a mix of its own and OS errors
        log.debug("tag write failed", exc_info=True)
        raise PublishError(f"{path}: could not write ID3 tags ({exc})") from exc


def _chapter_frames(chapters: tuple[Chapter, ...]) -> list[Any]:
    ids = [f"chp{index}" for index in range(len(chapters))]
    frames: list[Any] = [
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=_UTF8, text="Chapters")],
        )
    ]
    for element_id, chapter in zip(ids, chapters, strict=True):
        frames.append(
            CHAP(
                element_id=element_id,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=[TIT2(encoding=_UTF8, text=chapter.title)],
            )
        )
    return frames


def _figure_frames(figures: tuple[tuple[FigureChapter, bytes], ...]) -> list[CHAP]:
    """A CHAP with the figure's picture (APIC) for each figure chapter. The top-level CTOC does not
    list them: they are the ID3 form of JSON chapters' ``toc: false``, the navigation stays as it is
    (ID3 chapter addendum 1.0 lets a CHAP stand outside every CTOC)."""
    return [
        CHAP(
            element_id=f"fig{index}",
            start_time=figure.start_ms,
            end_time=figure.end_ms,
            start_offset=0xFFFFFFFF,
            end_offset=0xFFFFFFFF,
            sub_frames=[
                TIT2(encoding=_UTF8, text=figure.title),
                APIC(encoding=_UTF8, mime="image/jpeg", type=PictureType.OTHER, desc="", data=jpeg),
            ],
        )
        for index, (figure, jpeg) in enumerate(figures)
    ]


def written_by_audiocast(path: Path) -> bool:
    """Whether the MP3 at ``path`` carries audiocast's encoder tag, so replacing it loses nothing of a user's."""
    try:
        encoders = ID3(path).getall("TENC")
    except (MutagenError, OSError):  # no tag, not an MP3, unreadable
        return False
    return any(ENCODER in frame.text for frame in encoders)
