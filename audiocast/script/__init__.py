"""Article + voice profile → Script: what is read, in which order, by which voice, with which pauses.

The paragraph is the unit of synthesis (the voice keeps its intonation across sentences); a
paragraph is cut at sentence ends only when it exceeds ``max_segment_bytes``. Headings open
chapters; the opening (title, source and date) is chapter one; captions become asides read by
the aside voice after the profile's lead-in.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from babel.dates import format_date

from ..errors import ScriptError
from ..locales import babel_locale
from ..models import Article, Block, Script, Segment, SegmentRole, VoiceRole
from ..profiles import VoiceProfile
from ..text import CJK, speakable
from .sentences import fit, split_sentences
from .speech import clean, strip_photo_credit

__all__ = ["DEFAULT_MAX_SEGMENT_BYTES", "build_script", "spoken_date"]

MAX_SPOKEN_CHARACTERS = 100_000
"""About seven hours of Chinese or two of English: more is not one article, and would hold gigabytes of audio."""

DEFAULT_MAX_SEGMENT_BYTES = 3000
"""Edge's service takes 4096 bytes of escaped text per request; this leaves room to spare."""

_ROLE_OF_BLOCK: dict[str, SegmentRole] = {
    "heading": "heading", "paragraph": "body", "quote": "body", "list_item": "body", "figure": "aside",
}


@dataclass(frozen=True)
class _Draft:
    """A segment before its pause is known (the pause depends on what follows)."""

    role: SegmentRole
    text: str
    voice: VoiceRole
    chapter: str | None
    last_of_block: bool
    earcon: bool = False
    image: str = ""


def build_script(
    article: Article, profile: VoiceProfile, *, max_segment_bytes: int = DEFAULT_MAX_SEGMENT_BYTES
) -> Script:
    """Plan the reading of ``article`` with ``profile``'s voices, pauses and words."""
    if max_segment_bytes < 200:
        raise ValueError("max_segment_bytes must be at least 200")
    language = article.language
    drafts = _opening(article, profile, max_segment_bytes)
    opening = len(drafts)
    for block in article.blocks:
        drafts.extend(_block_drafts(block, language, profile, max_segment_bytes))
    if len(drafts) == opening:
        raise ScriptError(f"{article.title}: nothing readable in the article body")
    spoken = sum(len(draft.text) for draft in drafts)
    if spoken > MAX_SPOKEN_CHARACTERS:
        raise ScriptError(
            f"{article.title}: {spoken:,} characters to read, more than one episode holds "
            f"({MAX_SPOKEN_CHARACTERS:,}); split the article into parts"
        )
    drafts.extend(_outro(article, profile, max_segment_bytes))
    if drafts[0].chapter is None:  # an unspeakable title: the first thing read opens chapter one
        drafts[0] = dataclasses.replace(drafts[0], chapter=article.title)
    segments = tuple(
        _segment(draft, drafts[index + 1] if index + 1 < len(drafts) else None, language, profile)
        for index, draft in enumerate(drafts)
    )
    return Script(article=article, profile=profile.name, language=language, segments=segments)


def spoken_date(when: dt.datetime, profile: VoiceProfile) -> str:
    """The publication date as the profile says it: its ``date`` template when it has one, else
    CLDR's long date for its language (ISO 8601 for a language CLDR does not know).

    >>> from audiocast.profiles import load_profile, profile_for_language
    >>> spoken_date(dt.datetime(2023, 11, 27), load_profile("zh-CN"))
    '2023年11月27日'
    >>> spoken_date(dt.datetime(2023, 11, 27), load_profile("en-US"))
    'November 27, 2023'
    >>> spoken_date(dt.datetime(2023, 11, 27), profile_for_language("de-DE"))
    '27. November 2023'

    A template's ``{month_name}`` is the month's name in the profile's language.
    """
    locale = babel_locale(profile.language)
    if profile.words.date:
        month_name = locale.months["format"]["wide"][when.month] if locale else calendar.month_name[when.month]
        return profile.words.date.format(year=when.year, month=when.month, day=when.day, month_name=month_name)
    return format_date(when.date(), format="long", locale=locale) if locale else when.date().isoformat()


def _opening(article: Article, profile: VoiceProfile, max_bytes: int) -> list[_Draft]:
    """The title, then the source and date as people say them; the date only when the source gave one."""
    language = article.language
    drafts = _drafts("title", clean(article.title, language), "narrator", article.title, max_bytes)
    date = spoken_date(article.published, profile) if article.dated else ""
    if article.source_name and date:
        meta = profile.words.meta.format(source=article.source_name, date=date)
    else:
        meta = article.source_name or date
    if meta:
        drafts += _drafts("meta", clean(meta, language), "narrator", None, max_bytes)
    return drafts


def _outro(article: Article, profile: VoiceProfile, max_bytes: int) -> list[_Draft]:
    """The closing line naming the source, when there is one and the language has words for it."""
    if not article.source_name or not profile.words.outro:
        return []
    outro = clean(profile.words.outro.format(source=article.source_name), article.language)
    return _drafts("outro", outro, "narrator", None, max_bytes)


def _block_drafts(block: Block, language: str, profile: VoiceProfile, max_bytes: int) -> list[_Draft]:
    role = _ROLE_OF_BLOCK[block.kind]
    text = clean(strip_photo_credit(block.text) if role == "aside" else block.text, language)
    if not speakable(text):
        return []
    if role == "heading":
        heading = text.rstrip("。.:：")
        return _drafts("heading", heading, "narrator", heading, max_bytes)
    if role == "aside":
        lead_in = profile.words.caption_lead_in
        # No words to say "a caption follows" in this language: a tone before its first piece does.
        pieces = _drafts("aside", _join(lead_in, text) if lead_in else text, "aside", None, max_bytes)
        return [
            dataclasses.replace(piece, earcon=not lead_in, image=block.src) if index == 0 else piece
            for index, piece in enumerate(pieces)
        ]
    return _drafts(role, text, "narrator", None, max_bytes)


def _drafts(role: SegmentRole, text: str, voice: VoiceRole, chapter: str | None, max_bytes: int) -> list[_Draft]:
    """``text`` cut to fit one request each (see ``fit``), leaving out pieces with nothing to say;
    the first piece opens ``chapter``. Every role is cut alike: a huge title is no exception."""
    pieces = [piece.strip() for piece in fit(text, max_bytes) if speakable(piece)]
    return [
        _Draft(role, piece, voice, chapter if index == 0 else None, index == len(pieces) - 1)
        for index, piece in enumerate(pieces)
    ]


def _join(lead_in: str, text: str) -> str:
    """Lead-in and caption, with a space unless the lead-in ends in a CJK character or mark (whatever the
    language: Korean spaces its words, Japanese does not).

    >>> _join("图片说明：", "布林肯抵达。"), _join("Photo caption:", "Blinken arrives."), _join("사진 설명:", "서울.")
    ('图片说明：布林肯抵达。', 'Photo caption: Blinken arrives.', '사진 설명: 서울.')
    """
    return f"{lead_in}{text}" if _CJK_END.search(lead_in) else f"{lead_in} {text}"


_CJK_END = re.compile(f"[{CJK}]$")


def _segment(draft: _Draft, following: _Draft | None, language: str, profile: VoiceProfile) -> Segment:
    return Segment(
        role=draft.role,
        text=draft.text,
        language=language,
        voice=draft.voice,
        pause_after_ms=_pause_after(draft, following, profile),
        sentences=tuple(sentence.strip() for sentence in split_sentences(draft.text, language) if sentence.strip()),
        chapter=draft.chapter,
        ends_paragraph=draft.last_of_block,
        earcon=draft.earcon,
        image=draft.image,
    )


def _pause_after(draft: _Draft, following: _Draft | None, profile: VoiceProfile) -> int:
    """Silence after a segment: the longest that either side of the gap asks for."""
    pauses = profile.pauses
    if following is None:
        return pauses.paragraph
    wanted = [pauses.paragraph if draft.last_of_block else pauses.sentence]
    if draft.role in {"meta", "heading"} or following.role == "heading":
        wanted.append(pauses.heading)
    if draft.role == "aside" or following.role == "aside":
        wanted.append(pauses.aside)
    return max(wanted)
