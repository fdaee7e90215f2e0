"""Clean-up for the ear: what a voice must never be asked to read, and how text should sound.

Pure string functions with doctests; no audio. The rules are tables so that a new case is a new
row, not new code.
"""

from __future__ import annotations

import html
import re
import unicodedata

from ..language import writes_without_spaces
from ..tally import removed
from ..text import CJK as _CJK
from ..text import CLOSERS, COMMAS, HAN, KANA, PHOTO_CREDIT, SENTENCE_MARKS, clean_text

_CJK_QUOTES = "“”‘’"

REMOVALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("tags", re.compile(r"<[^>]{0,500}>")),
    ("urls", re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"“”，。、]+", re.IGNORECASE)),
    # Each alternative starts only where a token starts ((?<![\w.-]), not \b), so a run such as
    # "a-a-a-…" or "a.a.a.…" is tried once, not from every letter: linear, not quadratic.
    ("bare addresses", re.compile(
        r"(?<![\w.-])(?:[\w-]++\.)++[a-z]{2,6}[/?#][^\s，。]*"
        r"|(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.(?:jpe?g|png|gif|webp|html?|php|aspx?)\b",
        re.IGNORECASE,
    )),
    ("emoji", re.compile("[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f1e6-\U0001f1ff\ufe0f\u20e3]")),
)
"""What is removed before speaking, each replaced by a space: markup, web addresses and host-and-path
strings (incl. image-proxy strings) and file names, emoji. A site's name in a sentence ("WordPress.org
上的资源", "TechCrunch.com reported") is not an address and stays. Control and bidi-override characters
go first, as everywhere (``text.clean_text``: unescaped entities and a profile's words may carry them)."""
_INVISIBLE = re.compile(r"[\u200b\u200e\u200f\u2060\ufeff]|(?<!\S)[\u200c\u200d]+|[\u200c\u200d]+(?!\S)")
"""Invisible characters, removed without a trace: a zero-width space (which Thai, Khmer or Myanmar text may
carry between words: a space there would be a pause), direction marks, and a joiner left over from an
emoji. A joiner between two letters stays: Persian and Indic words are spelt with it (می‌خواهم)."""
_COMMA_OF_LANGUAGE = {
    "zh": "，", "cmn": "，", "yue": "，", "ja": "、",
    "ar": "، ", "fa": "، ", "ur": "، ", "ps": "، ", "sd": "، ", "ug": "، ", "ckb": "، ",
    "my": "၊ ", "am": "፣ ", "ti": "፣ ",
}  # fmt: skip
"""The comma a language writes (and the space after it), where it is not the Latin ", "."""

_REPEATED_MARKS = re.compile(rf"([{SENTENCE_MARKS}{COMMAS}.;])\1+")
_COMMA_BEFORE_MARK = re.compile(rf"([{COMMAS}])\s*([{SENTENCE_MARKS}{COMMAS}.])")
"""A comma (left where a dash was) right before another mark gives way to it."""
_DIGIT_DASH = re.compile(r"(?<=\d)\s*(?:——|—|―|--)\s*(?=\d)")
"""A dash between two numbers is a range (2023—2024年度, 9—12 May), kept as a short dash for the voice."""
_DASHES = re.compile(r"(?<!\s)\s*+(?:——|—|―|--)\s*")  # from a space run's start only: linear
_DASH_AFTER_SENTENCE = re.compile(
    rf"(?:(?<=[{SENTENCE_MARKS}.…])|(?<=[{SENTENCE_MARKS}.…][{re.escape(CLOSERS)}]))\s*(?:——|—|―|--)\s*"
)
"""A dash after a sentence's end, as Russian or French open the words after a quotation («Готово!» —
сказал он): the end is pause enough, the dash becomes a space."""
_SPACES = re.compile(r"[ \t\r\n\u00a0\u3000]+")
_CAPS_DATELINE = re.compile(
    r"^([A-Z][A-Z.'\-]{4,}(?: [A-Z][A-Z.'\-]+)*|[A-Z]{2,}(?: [A-Z][A-Z.'\-]+)+)(?=\s*(?:—|–|--))"
)
"""An upper-case dateline before a dash (WASHINGTON —, NEW YORK —); short words like NATO are left alone."""
_SPACE_BETWEEN_CJK_WORDS = re.compile(f"(?<=[{HAN}{KANA}])[ \u3000]+(?=[{HAN}{KANA}])")
"""A space between two Chinese or Japanese words, which those languages write only as a phrase
break (a headline's "大雨 鉄道の運転見合わせ"): said as a pause, not run together. A no-break
space is not one: pages use it as filler (&nbsp;)."""
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}{_CJK_QUOTES}]) | (?=[{_CJK}{_CJK_QUOTES}])")


def clean(text: str, language: str) -> str:
    """Text as it should be spoken: no markup, addresses, emoji or dashes a voice would stumble on.

    >>> clean("最后一站——北马其顿首都 https://x.org/a 的 “坚定承诺”&amp;nbsp;", "zh-CN")
    '最后一站，北马其顿首都的“坚定承诺”'
    >>> clean("Hello 👋 world!!! See www.example.com/x — now.", "en-US")
    'Hello world! See, now.'
    >>> clean("NEW YORK — Markets rose.", "en-US"), clean("BBC, March 5", "en-US"), clean("NATO — allies", "en-US")
    ('New York, Markets rose.', 'BBC, March 5', 'NATO, allies')
    >>> clean("القاهرة — قال الرئيس", "ar-EG"), clean("東京——会議", "ja-JP"), clean("서울 — 회의", "ko-KR")
    ('القاهرة، قال الرئيس', '東京、会議', '서울, 회의')
    >>> clean("東京で大雨 鉄道の運転見合わせ", "ja-JP"), clean("美国 北约峰会将举行", "zh-CN")
    ('東京で大雨、鉄道の運転見合わせ', '美国，北约峰会将举行')
    """
    previous = None
    while previous != text:  # double-escaped feeds carry &amp;nbsp; and worse
        previous, text = text, html.unescape(text)
    text = unicodedata.normalize("NFC", clean_text(text))
    comma = _COMMA_OF_LANGUAGE.get(language.split("-")[0].lower(), ", ")
    unspaced = writes_without_spaces(language)
    if unspaced:  # before the removals: a space one of them leaves between two words is no phrase break
        text = _SPACE_BETWEEN_CJK_WORDS.sub(comma, text)
    text = _CAPS_DATELINE.sub(lambda match: match.group(1).title(), text)
    for _, pattern in REMOVALS:
        text = pattern.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    text = _DIGIT_DASH.sub("–", text)
    text = _DASH_AFTER_SENTENCE.sub(" ", text)
    text = _DASHES.sub(comma, text)
    text = _REPEATED_MARKS.sub(r"\1", text)
    text = _SPACES.sub(" ", text).strip()
    if unspaced:
        text = _SPACE_NEAR_CJK.sub("", text)
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    text = _COMMA_BEFORE_MARK.sub(r"\2", text)
    return text.strip(" " + COMMAS)


def strip_photo_credit(caption: str) -> str:
    """Drop a trailing photo credit, which is not read aloud.

    >>> strip_photo_credit("布林肯抵达安德鲁斯空军基地。（美联社照片）")
    '布林肯抵达安德鲁斯空军基地。'
    >>> strip_photo_credit("Blinken arrives in Brussels. (AP Photo/Evan Vucci)")
    'Blinken arrives in Brussels.'
    >>> strip_photo_credit("会场外的抗议者。图/新华社"), strip_photo_credit("The new phone. Image credits: Apple")
    ('会场外的抗议者。', 'The new phone.')
    >>> strip_photo_credit("一名记者在拍照。"), strip_photo_credit("The photo: a study in contrasts")
    ('一名记者在拍照。', 'The photo: a study in contrasts')
    """
    credit = PHOTO_CREDIT.search(caption)
    if credit is None:
        return caption.strip()
    removed("photo credit", credit.group())
    return (caption[: credit.start()] + caption[credit.end() :]).strip()

