"""Which language a text is in: Simplified Chinese, Traditional Chinese or English (and others by script).

Chinese is told from other languages by the share of Han characters, and Simplified from
Traditional by characters common in news that exist in only one of the two forms.
"""

from __future__ import annotations

import re

from .text import HAN, HANGUL, KANA

_HAN = re.compile(f"[{HAN}]")
_LATIN = re.compile(r"[A-Za-z]")
_KANA = re.compile(f"[{KANA}]")
_HANGUL = re.compile(f"[{HANGUL}]")

# Pairs of (simplified, traditional) forms frequent in news; a character counts only for its side.
_SIMPLIFIED = set(
    "这们说国对时会发经过来为与将个们见长东关开门问间后党军报乌约马罗记议员论战总统领导让应实现当动还进资贸亚欧"
)
_TRADITIONAL = set(
    "這們說國對時會發經過來為與將個見長東關開門問間後黨軍報烏約馬羅記議員論戰總統領導讓應實現當動還進資貿亞歐"
)


def detect_language(text: str) -> str:
    """A BCP-47 tag for ``text``: ``zh-CN``, ``zh-TW``, ``ja``, ``ko`` or ``en-US``.

    >>> detect_language("美国国务卿布林肯前往布鲁塞尔，北约加强对乌克兰的承诺。")
    'zh-CN'
    >>> detect_language("美國國務卿布林肯前往布魯塞爾，北約加強對烏克蘭的承諾。")
    'zh-TW'
    >>> detect_language("Blinken heads to Brussels as NATO shores up its commitment.")
    'en-US'
    """
    sample = text[:20_000]
    han = len(_HAN.findall(sample))
    if len(_KANA.findall(sample)) > han / 10 and _KANA.search(sample):
        return "ja"
    if len(_HANGUL.findall(sample)) > len(_LATIN.findall(sample)):
        return "ko"
    if han and han * 3 >= len(_LATIN.findall(sample)):
        simplified = sum(1 for char in sample if char in _SIMPLIFIED)
        traditional = sum(1 for char in sample if char in _TRADITIONAL)
        return "zh-TW" if traditional > simplified else "zh-CN"
    return "en-US"


def is_cjk(language: str) -> bool:
    """Whether words in ``language`` are written without spaces between them.

    >>> is_cjk("zh-TW"), is_cjk("en-US")
    (True, False)
    """
    return language.split("-")[0] in {"zh", "ja", "ko", "yue", "cmn"}
