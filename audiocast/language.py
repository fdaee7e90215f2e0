"""Which language a text is in, as a BCP-47 ``language-REGION`` tag (``de-DE``, ``zh-TW``, ``yue-HK``), or
the bare language where it has no country (``eo``).

Chinese, Japanese and Korean are decided by their scripts, without a model: Han-dominated text is
Chinese (English names inside it do not change that), told apart as Cantonese by its own written
characters and as Simplified or Traditional by characters frequent in news that exist in only one
of the two forms; kana marks Japanese, Hangul Korean. Every other text is classified by py3langid
(a naive Bayes model of byte n-grams of 139 languages), loaded the first time it is needed; a text
it cannot place is given ``FALLBACK``. The region is CLDR's likely region for the language, from Babel.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from .locales import spoken_language
from .text import HAN, HAN_CHARACTER, HANGUL, KANA

_KANA = re.compile(f"[{KANA}]")
_HANGUL = re.compile(f"[{HANGUL}]")
_CJK_RUNS = re.compile(f"[{HAN}{KANA}{HANGUL}]+")

TAG = re.compile("[a-z]{2,3}(-[A-Z]{2})?")
"""The form of every tag ``detect_language`` returns: a language and, when it has one, its country
(Esperanto's region is the world, so it is a bare ``eo``)."""
FALLBACK = "en-US"
"""The language of a text that has no letters, or that the classifier cannot place."""
SCRIPT_SAMPLE = 20_000
"""Characters whose scripts are counted: enough for any article's proportions, bounded for speed."""
CLASSIFIER_SAMPLE = 3_000
"""Characters given to the classifier: its accuracy levels off after a few hundred, its time does not."""

# Pairs of (simplified, traditional) forms frequent in news; a character counts only for its side.
_SIMPLIFIED = set(
    "这们说国对时会发经过来为与将个们见长东关开门问间后党军报乌约马罗记议员论战总统领导让应实现当动还进资贸亚欧"
)
_TRADITIONAL = set(
    "這們說國對時會發經過來為與將個見長東關開門問間後黨軍報烏約馬羅記議員論戰總統領導讓應實現當動還進資貿亞歐"
)
# Characters of written Cantonese that standard written Chinese does not use. 係 ("is") is left out:
# Mandarin writes it in 關係 ("relation"), frequent in news.
_CANTONESE = set("嘅咗喺唔冇佢哋啲嘢嗰乜咁嚟咩噉睇諗搵攞畀啱嘥")
_CANTONESE_LEAST = 2
_CANTONESE_SHARE = 0.03
"""Cantonese needs at least two of its characters, and this share of the Han characters: a Mandarin text
quoting a Cantonese word stays Mandarin."""

_NO_LANGUAGE = "zxx"
"""py3langid's label for text with no linguistic content (``asdf qwer zxcv``)."""


def detect_language(text: str) -> str:
    """A BCP-47 ``language-REGION`` tag for ``text`` (``language`` alone when it has no country);
    ``FALLBACK`` when it has no letters, or letters the classifier cannot place.

    >>> detect_language("美国国务卿布林肯前往布鲁塞尔，北约加强对乌克兰的承诺。")
    'zh-CN'
    >>> detect_language("美國國務卿布林肯前往布魯塞爾，北約加強對烏克蘭的承諾。")
    'zh-TW'
    >>> detect_language("Blinken heads to Brussels as NATO shores up its commitment.")
    'en-US'
    >>> detect_language("Die Bundesregierung will die Ausgaben für die Bahn deutlich erhöhen.")
    'de-DE'
    >>> detect_language("La registaro volas multe pliigi la elspezojn por la fervojo.")
    'eo'
    """
    sample = text[:SCRIPT_SAMPLE]
    scripts = _ScriptCounts.of(sample)
    if scripts.cjk and scripts.cjk * 3 >= scripts.other:  # a CJK character carries about a word
        return region_tag(_cjk_language(sample, scripts))
    if not scripts.other:
        return FALLBACK
    # CJK words quoted in another language are noise to the classifier's n-grams
    code = _classify(_CJK_RUNS.sub(" ", sample[:CLASSIFIER_SAMPLE]))
    return region_tag(code) if code else FALLBACK


def is_cjk(language: str) -> bool:
    """Whether ``language`` is written in the wide CJK characters, so captions are measured by them.

    >>> is_cjk("zh-TW"), is_cjk("yue-HK"), is_cjk("ja-JP"), is_cjk("ko-KR"), is_cjk("en-US")
    (True, True, True, True, False)
    """
    return language.split("-")[0] in _UNSPACED | {"ko"}


def writes_without_spaces(language: str) -> bool:
    """Whether ``language`` runs its words together (Chinese, Japanese), so pieces of a paragraph are
    joined without a space. Korean is CJK but spaces its words.

    >>> writes_without_spaces("zh-CN"), writes_without_spaces("ja-JP"), writes_without_spaces("ko-KR")
    (True, True, False)
    """
    return language.split("-")[0] in _UNSPACED


_UNSPACED = frozenset({"zh", "ja", "yue", "cmn"})


@functools.cache
def region_tag(code: str) -> str:
    """``de`` -> ``de-DE``, ``zh_Hant`` -> ``zh-TW``, ``ary`` -> ``ar-MA``, ``eo`` -> ``eo``: the language
    as the voice services name it (``locales.spoken_language``) and CLDR's likely country for it,
    none when CLDR gives it none or only the world (``001``). The country stays the original's:
    Moroccan Arabic is ``ar-MA``, Nigerian Pidgin ``en-NG``.

    >>> region_tag("de"), region_tag("zh_Hant"), region_tag("ary"), region_tag("no"), region_tag("tl")
    ('de-DE', 'zh-TW', 'ar-MA', 'nb-NO', 'fil-PH')
    >>> region_tag("eo"), region_tag("la"), region_tag("pcm"), region_tag("kik")
    ('eo', 'la-VA', 'en-NG', 'ki-KE')
    """
    spoken = spoken_language(code.split("_")[0])
    region = _likely_region(code) or _likely_region(spoken)
    return f"{spoken}-{region}" if region.isalpha() else spoken


@dataclass(frozen=True)
class _ScriptCounts:
    han: int
    kana: int
    hangul: int
    other: int
    """Letters of every other script."""

    @property
    def cjk(self) -> int:
        return self.han + self.kana + self.hangul

    @classmethod
    def of(cls, sample: str) -> _ScriptCounts:
        han, kana, hangul = (len(pattern.findall(sample)) for pattern in (HAN_CHARACTER, _KANA, _HANGUL))
        letters = sum(1 for char in sample if char.isalpha())
        return cls(han=han, kana=kana, hangul=hangul, other=max(0, letters - han - kana - hangul))


def _cjk_language(sample: str, scripts: _ScriptCounts) -> str:
    """The CLDR code (``ja``, ``ko``, ``yue``, ``zh_Hant``, ``zh``) of text written mostly in CJK scripts."""
    if scripts.hangul > scripts.han + scripts.kana:
        return "ko"
    if scripts.kana > scripts.han / 10:
        return "ja"
    if sum(1 for char in sample if char in _CANTONESE) >= max(_CANTONESE_LEAST, scripts.han * _CANTONESE_SHARE):
        return "yue"
    simplified = sum(1 for char in sample if char in _SIMPLIFIED)
    traditional = sum(1 for char in sample if char in _TRADITIONAL)
    return "zh_Hant" if traditional > simplified else "zh"


def _classify(text: str) -> str | None:
    """py3langid's code for ``text``, or None when it cannot place it: no linguistic content, or no
    n-gram it knows (every language scores the same).

    Every language of the model is a candidate, those without a country too: leaving one out gives
    its texts to another language (Esperanto came out as Guadeloupean Creole, ``gcf-GP``, and Latin
    as a Romance neighbour).
    """
    (best, score), (_, second) = _identifier().rank(text)[:2]
    return None if best == _NO_LANGUAGE or score == second else str(best)


@functools.cache
def _identifier() -> Any:
    """py3langid's model (half a second to a second to load)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE)


def _likely_region(code: str) -> str:
    """CLDR's likely region for ``code`` (``001`` for the world), or "" when CLDR has none."""
    from babel.core import get_global

    likely: str = get_global("likely_subtags").get(code, "")
    return likely.split("_")[-1]
