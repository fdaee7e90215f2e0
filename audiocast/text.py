"""Text knowledge every stage shares: the CJK scripts' characters, the marks that end sentences
and clauses in the world's scripts, what a photo credit looks like, which characters no output may
carry, and how to shorten a text.

Readers clean every field with ``clean_text`` when an article is built, and ``models.Article``
refuses unclean text, so no later stage (script, captions, tags, feed.xml, index.html) can meet:

- characters XML 1.0 forbids (C0 controls other than tab, newline and carriage return; lone
  surrogates; U+FFFE/U+FFFF), which crash the feed writer (lxml: "All strings must be XML compatible");
- the other control characters (C1, DEL), which no text means;
- bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which let a title
  display reversed or spill its direction into the page around it (Trojan Source, CVE-2021-42574).
  Marks that scripts need are kept: ZWJ/ZWNJ (Indic, Persian, emoji sequences), LRM/RLM.

Controls that separate (vertical tab, form feed, the information separators, NEL) become a space,
so words either side stay apart; the others are removed.
"""

from __future__ import annotations

import re
import unicodedata

# Character ranges (regular-expression class bodies) of the CJK scripts; each stage composes its class
# from these: language detection counts HAN, KANA and HANGUL, speech drops spaces between CJK.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
"""Han ideographs: Extension A, the Unified Ideographs and the Compatibility Ideographs."""
KANA = "\u3040-\u30ff"
HANGUL = "\uac00-\ud7af"
CJK_MARKS = "\u2e80-\u2fdf\u3000-\u303f"
"""Radicals, and CJK symbols and punctuation (。、「」 and the ideographic space)."""
FULLWIDTH = "\uff00-\uffef"
"""Full- and half-width forms (，：？ and full-width Latin)."""
CJK = CJK_MARKS + KANA + HAN + FULLWIDTH
"""Scripts written without spaces between words (Korean, which spaces its words, is not)."""
SYLLABIC = HAN + KANA + HANGUL
"""Scripts in which one character is about one spoken syllable (for judging how long speech takes)."""

# Punctuation of the world's scripts, as regular-expression class bodies (no "-", "]" or "\\" in them).
SENTENCE_MARKS = (
    "。！？；!?"  # CJK, and Latin ! ? (the Latin full stop ends a sentence only in context: see script.sentences)
    "\u061f\u06d4"  # ؟ ۔ Arabic question mark, Urdu full stop
    "\u0964\u0965"  # । ॥ danda, double danda (Devanagari, Bengali and other Indic scripts)
    "\u104b"  # ။ Myanmar
    "\u17d4\u17d5"  # ។ ៕ Khmer
    "\u0589"  # ։ Armenian full stop
    "\u1362\u1367\u1368"  # ። ፧ ፨ Ethiopic full stop, question mark, paragraph separator
    "\u037e"  # ; Greek question mark (NFC makes it a semicolon; see script.sentences)
)
"""Marks that end a sentence wherever they stand."""
CLOSERS = "”’」』）)]\"'》〉»«›"
"""Closing quotes and brackets, which stay with the sentence they close (German closes »…« with «)."""
COMMAS = "，、,\u060c\u104a\u1363"
"""Commas: CJK, Latin, Arabic ،, Myanmar ၊, Ethiopic ፣."""
CLAUSE_MARKS = COMMAS + "：:\u061b\u1364\u1365"  # and ؛ ፤ ፥ the Arabic and Ethiopic semicolons, Ethiopic colon
"""Marks after which a sentence may be cut when it is too long for one request."""

_SEPARATORS = "\x0b\x0c\x1c\x1d\x1e\x1f\x85"
# Only characters of the Basic Multilingual Plane: an astral character in the class makes every search
# about 25 times slower, and XML allows all of them (the other noncharacters included).
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_AS_SPACE = str.maketrans(dict.fromkeys(_SEPARATORS, " "))

ELLIPSIS = "…"
_CLAUSE_ENDS = frozenset(SENTENCE_MARKS + CLAUSE_MARKS + ".;）)」』】》")
_TRAILING = " ,;:，、；：-–—"


def clean_text(text: str) -> str:
    """``text`` without the characters no output may carry (see the module docstring).

    >>> clean_text("Breaking\\x00 news\\x1b[31m\\x0cnow \\u202eevil\\u202c")
    'Breaking news[31m now evil'
    >>> clean_text("क्\\u200dष 👩\\u200d💻")  # ZWJ stays: scripts and emoji need it
    'क्\\u200dष 👩\\u200d💻'
    """
    if not _UNWANTED.search(text):
        return text
    return _UNWANTED.sub("", text.translate(_AS_SPACE))


def is_clean(text: str) -> bool:
    """Whether ``text`` is free of what ``clean_text`` removes.

    >>> is_clean("北约 NATO"), is_clean("a\\ufffeb")
    (True, False)
    """
    return _UNWANTED.search(text) is None


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters with an ellipsis: at a word boundary, else (CJK,
    one very long word) after a clause's punctuation, else between two characters, never inside
    a character sequence (a base and its combining marks, an emoji joined by ZWJ).

    >>> shorten("Blinken off to Brussels as NATO shores up support", 30)
    'Blinken off to Brussels as…'
    >>> shorten("布林肯周二抵达布鲁塞尔，出席北约外长会议。他表示支持乌克兰", 20)
    '布林肯周二抵达布鲁塞尔…'
    >>> shorten("x" * 10, 5), shorten("short", 5)
    ('xxxx…', 'short')
    """
    if len(text) <= limit:
        return text
    cut = character_boundary(text, limit - len(ELLIPSIS))
    head = text[:cut]
    word = head.rfind(" ")
    if word >= cut // 2:
        head = head[:word]
    else:
        clause = max((index for index in range(cut // 2, cut) if head[index] in _CLAUSE_ENDS), default=-1)
        if clause >= 0:
            head = head[: clause + 1]
    return head.rstrip(_TRAILING) + ELLIPSIS


def character_boundary(text: str, cut: int, floor: int = 0) -> int:
    """The nearest index at or before ``cut`` that does not split a user-perceived character, looking
    back no further than ``floor`` (returned when the character there reaches past ``cut``).

    >>> character_boundary("नमस्ते", 4), character_boundary("ที่นี่", 4)  # not inside a conjunct, nor before a vowel sign
    (2, 3)
    """
    while cut > floor and (_attaches(text[cut]) or text[cut - 1] == "\u200d" or _joins_next(text[cut - 1])):
        cut -= 1
    return cut


def _joins_next(char: str) -> bool:
    """Whether ``char`` binds the consonant after it into one cluster: a virama (Indic scripts, Myanmar,
    Khmer coeng), whose canonical combining class is 9."""
    return unicodedata.combining(char) == 9


def _attaches(char: str) -> bool:
    """Whether ``char`` belongs to the character before it: combining marks, joiners, selectors."""
    return (
        unicodedata.category(char) in {"Mn", "Mc", "Me"}
        or char == "\u200d"
        or "\ufe00" <= char <= "\ufe0f"
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def speakable(text: str) -> bool:
    """Whether ``text`` has anything a voice can say (a letter or a digit).

    >>> speakable("……！"), speakable("🎉🎉"), speakable("好"), speakable("১২")
    (False, False, True, True)
    """
    return any(unicodedata.category(char)[0] in "LN" for char in text)


_SYLLABIC_CHARACTER = re.compile(f"[{SYLLABIC}]")
HAN_CHARACTER = re.compile(f"[{HAN}]")
"""One Han character (``HAN_CHARACTER.search(title)``: a title in Chinese characters)."""


def is_syllabic(char: str) -> bool:
    """Whether ``char`` is of a script in which a character is about one spoken syllable (``SYLLABIC``).

    >>> is_syllabic("北"), is_syllabic("한"), is_syllabic("a")
    (True, True, False)
    """
    return _SYLLABIC_CHARACTER.match(char) is not None


_CREDIT_WORDS = r"\b(?:photo|foto|фото|image|credit)\w*|\b(?:getty|reuters|afp|epa)\b"
"""Latin words of a credit, whole (so "Nepal" or "separación" is no credit), in any language's caption."""
PHOTO_CREDIT = re.compile(
    rf"\s*[（(][^（）()]{{0,40}}(?:照片|图片|圖片|摄|攝|供图|供圖|提供|{_CREDIT_WORDS})"
    r"[^（）()]{0,40}[)）]\s*$"
    r"|(?:^|(?<=[。.!?！？]))\s*(?:(?:image|photo|picture)s?\s+credits?|credits?|courtesy(?:\s+of)?|photo|foto|фото|"
    r"图片来源|圖片來源|摄影|攝影|图|圖)\s*[:：/]\s*[^。.!?！？]{1,60}\.?$",
    re.IGNORECASE,
)
"""A photo credit in a caption, which is not read: （美联社照片）, （张三摄）, （受访者提供）, (AP Photo/Evan Vucci),
"Image credits: Getty", "图/新华社" at the end (or as the whole caption). Agencies' names and the English
words are credits in any language's caption ("Photo : AFP", "(Foto: Reuters)", "Фото: ТАСС"); matching a paragraph
against a caption ignores them too (``sources.article``)."""
