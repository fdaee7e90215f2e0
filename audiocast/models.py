"""The plain values passed between stages: Article → Script → Clip → Timeline.

All are frozen dataclasses validated on construction; each stage returns new values and never
mutates what it was given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from .links import safe_link
from .text import is_clean, shorten

BlockKind = Literal["heading", "paragraph", "figure", "quote", "list_item"]
SegmentRole = Literal["title", "meta", "heading", "body", "aside", "outro"]
VoiceRole = Literal["narrator", "aside"]
AudioFormat = Literal["mp3", "pcm_s16le"]


@dataclass(frozen=True)
class Block:
    """One unit of article content in reading order.

    For a figure, ``text`` is its caption (or alt text when there is no caption) and ``src`` the
    image address; for every other kind ``src`` is empty.
    """

    kind: BlockKind
    text: str
    src: str = ""

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError(f"empty {self.kind} block")


@dataclass(frozen=True)
class Article:
    """An article as read from its source; knows nothing about speech."""

    id: str
    title: str
    link: str
    published: dt.datetime
    source_name: str
    language: str
    blocks: tuple[Block, ...]
    author: str = ""
    images: tuple[str, ...] = ()
    dated: bool = True
    """False when the source gave no date and ``published`` is only when it was read."""

    def __post_init__(self) -> None:
        if self.published.tzinfo is None:
            raise ValueError("Article.published must be timezone-aware")
        if not self.title.strip():
            raise ValueError("Article.title is empty")
        if self.link and safe_link(self.link) is None:
            raise ValueError(f"Article.link is not an http(s) address: {self.link[:80]!r}")
        texts = (self.title, self.link, self.source_name, self.author, *self.images)
        if not all(map(is_clean, texts)) or not all(is_clean(b.text) and is_clean(b.src) for b in self.blocks):
            raise ValueError("Article text has control characters; read articles with audiocast.sources")

    @property
    def summary(self) -> str:
        """The first paragraph, shortened to about 200 characters, for tags and feeds."""
        for block in self.blocks:
            if block.kind == "paragraph":
                return shorten(block.text, 200)
        return self.title


@dataclass(frozen=True)
class Segment:
    """One clip's worth of speech: what is read, by which voice, and what follows it."""

    role: SegmentRole
    text: str
    language: str
    voice: VoiceRole
    pause_after_ms: int
    sentences: tuple[str, ...]
    chapter: str | None = None
    """Title of the chapter this segment opens, or None when it continues the current one."""
    ends_paragraph: bool = True
    """False when the next segment is the rest of the same paragraph (cut for request size)."""
    earcon: bool = False
    """A short tone is heard before this segment: it marks an aside in a language the profile has
    no written lead-in for (see ``audio.earcon``)."""
    image: str = ""
    """The picture an aside's caption describes, on the segment that begins reading it (its address
    as the article gives it); it makes the aside a chapter with that image (``publish.chapters``)."""

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError(f"empty {self.role} segment")
        if self.pause_after_ms < 0:
            raise ValueError("pause_after_ms must not be negative")
        if "".join("".join(self.sentences).split()) != "".join(self.text.split()):  # any white space: \u2028 too
            raise ValueError(f"sentences do not cover the text of segment {self.text[:30]!r}")


@dataclass(frozen=True)
class Script:
    """Everything that will be read for one article, in order."""

    article: Article
    profile: str
    language: str
    segments: tuple[Segment, ...]

    def __post_init__(self) -> None:
        if not self.segments:
            raise ValueError("a script needs at least one segment")
        if self.segments[0].chapter is None:
            raise ValueError("the first segment must open a chapter")

    @property
    def text_length(self) -> int:
        return sum(len(segment.text) for segment in self.segments)


@dataclass(frozen=True)
class Boundary:
    """Where a word (or, from an engine that times no words, a sentence) of a clip's text is spoken
    inside the clip, in milliseconds; ``text`` is a piece of the clip's text."""

    offset_ms: int
    duration_ms: int
    text: str


@dataclass(frozen=True)
class Clip:
    """Audio for one segment as an engine produced it."""

    audio: bytes
    format: AudioFormat
    sample_rate: int
    boundaries: tuple[Boundary, ...] = ()
    engine: str = ""
    voice: str = ""

    def __post_init__(self) -> None:
        if not self.audio:
            raise ValueError("a clip needs audio")


@dataclass(frozen=True)
class Cue:
    """A stretch of text heard at episode-absolute times: a caption sentence, or one word."""

    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True)
class Placed:
    """Where one segment sits in the episode, with its caption cues and its words."""

    segment: Segment
    start_ms: int
    end_ms: int
    cues: tuple[Cue, ...]
    words: tuple[Cue, ...] = ()
    """Every word of the segment's text in order (with the punctuation after it), when the engine
    timed its words (see ``audiocast.timing``); empty when it did not."""


@dataclass(frozen=True)
class Chapter:
    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Timeline:
    """The truth about when everything is heard, for chapters and captions."""

    placed: tuple[Placed, ...]
    duration_ms: int

    @property
    def cues(self) -> tuple[Cue, ...]:
        return tuple(cue for item in self.placed for cue in item.cues)

    @property
    def chapters(self) -> tuple[Chapter, ...]:
        starts = [(p.segment.chapter, p.start_ms) for p in self.placed if p.segment.chapter is not None]
        ends = [start for _, start in starts[1:]] + [self.duration_ms]
        return tuple(
            Chapter(title or "", start, end) for (title, start), end in zip(starts, ends, strict=True)
        )


@dataclass(frozen=True)
class Episode:
    """A finished episode on disk and what is known about it."""

    script: Script
    audio_path: str
    duration_ms: int
    size_bytes: int
    timeline: Timeline
    sidecars: dict[str, str] = field(default_factory=dict)
    """Kind ('vtt', 'srt', 'chapters', 'txt', 'words') to file path."""
    clips_synthesized: int = 0
    """Clips the engine made for this episode; the others came from the clip cache."""
