"""Numbers as the offline voice should say them: percentages, money, dates, ratios, ranges,
signed temperatures, grouped thousands and fractions turned into words of the text's language.

espeak-ng reads "25%" in Chinese with the English word "percent", "37,000" as 三十七千 and
"$600M" as "dollar six hundred M". The online voices normalise text themselves, so only the offline
engine applies this, and captions and transcripts keep the written form. The rewrite remembers
where each replacement came from, so positions the engine reports in the spoken text map back to
the written text (for caption timing).

One regular expression with one alternative per rule is scanned once, left to right: linear in the
text. Chinese numerals come from cn2an, English words from num2words.

Other languages' numbers are left to the voice: espeak-ng reads digits, decimal commas and percent
signs in its own language ("3,5 %" in German is "drei Komma fünf Prozent", in Russian "три целых
пять десятых процента"), which rules of ours could not match — these languages write "16.000" and
"27.11.2023", say "am 27. November" with an inflected ordinal and put "процента" in the case the
sentence needs, which num2words cannot know. The one thing done for them: a number grouped with
spaces ("16 000", as Russian, French, Czech or Vietnamese write it) is given to the voice whole,
since espeak-ng reads the groups as separate numbers ("шестнадцать ноль ноль ноль").
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from num2words import num2words

NumberLanguage = Literal["zh", "en"]

RULES_VERSION = 2
"""Raised whenever a change to the rules makes the same text sound different (part of the offline
engine's version, so cached clips and feed episodes are made again)."""

_LATIN = r"0-9A-Za-z_\u00c0-\u024f"
"""Letters and digits a number may be glued to (a word character class would also match every CJK character)."""
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\d)"
_ALONE_BEFORE = rf"(?<![{_LATIN}.,/:：])"
"""Not glued to a word, a decimal point, a group separator or another rule's punctuation."""
_ALONE_AFTER = rf"(?![{_LATIN}/]|[.,:：]\d)"
_SIGN = rf"(?:(?<![{_LATIN}.])(?P<{{name}}>[-−–+])|{_ALONE_BEFORE})"
"""A plus or minus sign that belongs to the number, not a hyphen between two words or numbers."""

_RULES: dict[str, str] = {
    "date": rf"(?<![{_LATIN}.\-/])(?P<d_year>1[5-9]\d\d|20\d\d)(?P<sep>[./-])(?P<d_month>0?[1-9]|1[0-2])(?P=sep)"
    rf"(?P<d_day>0?[1-9]|[12]\d|3[01])(?![{_LATIN}.\-/])",
    "temperature": _SIGN.format(name="t_sign") + rf"(?P<t_value>{_NUMBER})\s?(?P<unit>℃|℉|°\s?[CF](?![A-Za-z]))",
    "money": rf"{_ALONE_BEFORE}(?P<currency>US\$|HK\$|NT\$|[$€£¥￥])\s?(?P<m_value>{_NUMBER})"
    rf"(?:\s?[-–~～]\s?(?P<m_high>{_NUMBER}))?"
    r"(?:\s?(?P<scale>(?:million|billion|trillion|thousand)(?![A-Za-z])|[万亿])|(?P<short>bn|mn|[MBKmbk])(?![A-Za-z]))?",
    "percent_range": rf"{_ALONE_BEFORE}(?P<q_low>{_NUMBER})\s?[%％]?\s?[-–—~～至到]\s?(?P<q_high>{_NUMBER})\s?[%％]",
    "percent": _SIGN.format(name="p_sign") + rf"(?P<p_value>{_NUMBER})\s?[%％]",
    "clock": rf"(?<![{_LATIN}.:：])(?P<hour>[01]?\d|2[0-3])[:：](?P<minute>[0-5]\d)(?![{_LATIN}.:：])",
    "ratio": rf"{_ALONE_BEFORE}(?P<left>{_NUMBER})\s?[:：]\s?(?P<right>{_NUMBER}){_ALONE_AFTER}",
    "range": rf"{_ALONE_BEFORE}(?P<low>{_NUMBER})\s?[-–—~～](?P<high>{_NUMBER})(?P<r_year>年)?"
    rf"(?![{_LATIN}/]|[-–.]\d)",
    "fraction": rf"{_ALONE_BEFORE}(?P<numerator>\d+)/(?P<denominator>\d+){_ALONE_AFTER}",
    "year": rf"(?<![{_LATIN}.])(?P<y_digits>\d{{4}})(?=年)",
    "number": rf"{_ALONE_BEFORE}(?P<n_value>{_NUMBER}){_ALONE_AFTER}",
}
"""Rule name → pattern; the first alternative that matches at a position wins, so order matters.
A rule's sayer may still decline a match (a "range" whose ends fall, like a score), and the text
then stays as written."""

_PATTERN = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _RULES.items()))

_SCALES = {
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "m": 10**6,
    "mn": 10**6,
    "billion": 10**9,
    "b": 10**9,
    "bn": 10**9,
    "trillion": 10**12,
    "万": 10**4,
    "亿": 10**8,
}
_CURRENCIES_ZH = {
    "$": "美元",
    "US$": "美元",
    "HK$": "港元",
    "NT$": "新台币",
    "€": "欧元",
    "£": "英镑",
    "¥": "元",
    "￥": "元",
}
_CURRENCIES_EN = {
    "$": "dollar",
    "US$": "US dollar",
    "HK$": "Hong Kong dollar",
    "NT$": "New Taiwan dollar",
    "€": "euro",
    "£": "pound",
    "¥": "yen",
    "￥": "yuan",
}
_ZH_DIGITS = "零一二三四五六七八九"
_DENOMINATORS = frozenset({2, 3, 4, 5, 8, 10, 100, 1000})
"""Fractions only where a slash is rarely a date or a name: 9/11 and 12/25 stay as written."""
_CN2AN_MAX_DIGITS = 16
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Spoken:
    """Text with its numbers in words, and where each rewritten stretch came from."""

    text: str
    rewrites: tuple[tuple[int, int, int, int], ...] = ()
    """(written start, written end, spoken start, spoken end) of each replacement, in order."""

    def written_position(self, spoken: int) -> int:
        """The position in the written text of the ``spoken``-th character of :attr:`text`.

        >>> spoken = spoken_numbers("共25%。好", "zh")
        >>> spoken.text, spoken.written_position(1), spoken.written_position(spoken.text.index("好"))
        ('共百分之二十五。好', 1, 5)
        """
        index = bisect.bisect_right([rewrite[2] for rewrite in self.rewrites], spoken) - 1
        if index < 0:
            return spoken
        written_start, written_end, _, spoken_end = self.rewrites[index]
        if spoken < spoken_end:
            return written_start
        return written_end + spoken - spoken_end


def spoken_numbers(text: str, language: NumberLanguage | None) -> Spoken:
    """``text`` with numbers written out for ``language`` ("zh" or "en"); when it is None (a voice
    that reads its language's numbers itself), only numbers grouped with spaces are joined.

    >>> spoken_numbers("增长25%，约37,000人，-268.9℃，1：7.5，2024.12.11，1/10", "zh").text
    '增长百分之二十五，约三万七千人，零下二百六十八点九摄氏度，一比七点五，二零二四年十二月十一日，十分之一'
    >>> spoken_numbers("It raised $131.4 million, or $600M, in 2010-2020; 1/10 of it.", "en").text
    'It raised one hundred and thirty-one point four million dollars, or six hundred million dollars, \
in twenty ten to twenty twenty; one tenth of it.'
    >>> spoken_numbers("До 16 000 пунктов (3,5 %), 1\u00a0250\u202f000,5 руб., 27.11.2023, тел. 030 123 456", None).text
    'До 16000 пунктов (3,5 %), 1250000,5 руб., 27.11.2023, тел. 030 123 456'
    """
    if not any(char.isdigit() for char in text):
        return Spoken(text)
    pattern, say = (_PATTERN, _SAYERS[language]) if language else (_SPACE_GROUPED, _joined)
    said = ((match, say(match)) for match in pattern.finditer(text))
    return rewritten(text, ((match.start(), match.end(), words) for match, words in said if words is not None))


def rewritten(text: str, replacements: Iterable[tuple[int, int, str]]) -> Spoken:
    """``text`` with each ``(start, end, words)`` replacement made (in order, not overlapping),
    remembering where each came from.

    >>> rewritten("a 1 b 2", [(2, 3, "one"), (6, 7, "two")]).text
    'a one b two'
    """
    pieces: list[str] = []
    rewrites: list[tuple[int, int, int, int]] = []
    written_end = spoken_length = 0
    for start, end, words in replacements:
        between = text[written_end:start]
        pieces.append(between)
        spoken_length += len(between)
        pieces.append(words)
        rewrites.append((start, end, spoken_length, spoken_length + len(words)))
        spoken_length += len(words)
        written_end = end
    pieces.append(text[written_end:])
    return Spoken("".join(pieces), tuple(rewrites))


_SPACE_GROUPED = re.compile(r"(?<![\d.,])(?<!\d[ \u00a0\u202f\u2009])[1-9]\d{0,2}(?:[ \u00a0\u202f\u2009]\d{3})+(?!\d)")
"""A whole number grouped in thousands by spaces (plain, no-break, narrow no-break or thin); not one
starting with a zero or following another number, which is a code or a telephone number."""


def _joined(match: re.Match[str]) -> str:
    return "".join(match.group().split())


def _value(written: str) -> Decimal:
    return Decimal(written.replace(",", ""))


def _rises(match: re.Match[str]) -> bool:
    """A range goes up (10-12, 2010-2020); 3-2 is a score and 010-1234 a telephone number, left as written."""
    low, high = match.group("low"), match.group("high")
    return not low.startswith("0") and _value(low) < _value(high)


def _proper(match: re.Match[str]) -> bool:
    """A fraction is less than one with a common denominator (24/7 and 9/11 are not fractions)."""
    numerator, denominator = int(match.group("numerator")), int(match.group("denominator"))
    return 0 < numerator < denominator and denominator in _DENOMINATORS


# Chinese.


def _zh(match: re.Match[str]) -> str | None:
    rule = match.lastgroup
    group = match.group
    if rule == "date":
        return f"{_zh_digits(group('d_year'))}年{_zh_number(group('d_month'))}月{_zh_number(group('d_day'))}日"
    if rule == "temperature":
        scale = "华氏度" if _fahrenheit(group("unit")) else "摄氏度"
        return f"{'零下' if _negative(group('t_sign')) else ''}{_zh_number(group('t_value'))}{scale}"
    if rule == "money":
        return _zh_money(group("currency"), group("m_value"), group("m_high"), group("scale") or group("short"))
    if rule == "percent_range":
        return f"百分之{_zh_number(group('q_low'))}至百分之{_zh_number(group('q_high'))}"
    if rule == "percent":
        return f"{'负' if _negative(group('p_sign')) else ''}百分之{_zh_number(group('p_value'))}"
    if rule == "clock":
        minute = "" if group("minute") == "00" else f"{_zh_number(group('minute'))}分"
        return f"{_zh_number(group('hour'))}点{minute}"
    if rule == "ratio":
        return f"{_zh_number(group('left'))}比{_zh_number(group('right'))}"
    if rule == "range":
        say = _zh_digits if group("r_year") else _zh_number
        return f"{say(group('low'))}至{say(group('high'))}{group('r_year') or ''}" if _rises(match) else None
    if rule == "fraction":
        if not _proper(match):
            return None
        return f"{_zh_number(group('denominator'))}分之{_zh_number(group('numerator'))}"
    if rule == "year":
        return _zh_digits(group("y_digits"))
    return _zh_number(group("n_value"))


def _negative(sign: str | None) -> bool:
    """Whether a number's sign makes it negative (``+`` and no sign do not)."""
    return bool(sign) and sign != "+"


def _fahrenheit(unit: str) -> bool:
    return "F" in unit or "℉" in unit


def _zh_number(written: str) -> str:
    """A number in Chinese numerals; very long or zero-led integers digit by digit.

    >>> _zh_number("37,000"), _zh_number("3.14"), _zh_number("007"), _zh_number("10"), _zh_number("1" * 20)[:3]
    ('三万七千', '三点一四', '零零七', '十', '一一一')
    >>> _zh_number("3.14159265358979323846")
    '三点一四一五九二六五三五八九七九三二三八四六'
    >>> _zh_number("12.05")
    '十二点零五'
    """
    whole, _, fraction = written.replace(",", "").partition(".")
    if len(whole) > _CN2AN_MAX_DIGITS or (len(whole) > 1 and whole.startswith("0")):
        words = _zh_digits(whole)
    else:
        words = _an2cn()(whole, "low")
        words = words[1:] if words.startswith("一十") else words
    return f"{words}点{_zh_digits(fraction)}" if fraction else words  # cn2an would cut digits past 16, with a warning


@functools.cache
def _an2cn() -> Callable[[str, str], str]:
    import cn2an  # takes most of a second to import; only Chinese text with digits needs it

    return cn2an.an2cn  # type: ignore[no-any-return]


def _zh_digits(written: str) -> str:
    """Digit by digit, as years and codes are read: 2024 → 二零二四.

    >>> _zh_digits("2024.5")
    '二零二四点五'
    """
    return "".join(_ZH_DIGITS[int(char)] if char.isdigit() else "点" for char in written if char != ",")


def _zh_money(currency: str, low: str, high: str | None, scale: str | None) -> str:
    """
    >>> _zh_money("£", "5", None, "m"), _zh_money("$", "5", "10", "million"), _zh_money("HK$", "3", None, "亿")
    ('五百万英镑', '五百万至一千万美元', '三亿港元')
    """
    unit = _CURRENCIES_ZH[currency]
    if scale in ("万", "亿"):
        amounts = [f"{_zh_number(written)}{scale}" for written in (low, high) if written]
    else:
        factor = _SCALES.get((scale or "").lower(), 1)
        amounts = [_zh_number(_plain(_value(written) * factor)) for written in (low, high) if written]
    return "至".join(amounts) + unit


def _plain(amount: Decimal) -> str:
    """
    >>> _plain(Decimal("131.4") * 10**6), _plain(Decimal("2.50"))
    ('131400000', '2.5')
    """
    written = format(amount, "f")
    return written.rstrip("0").rstrip(".") if "." in written else written


# English.


def _en(match: re.Match[str]) -> str | None:
    rule = match.lastgroup
    group = match.group
    if rule == "date":
        month = _MONTHS_EN[int(group("d_month")) - 1]
        return f"{month} {_en_ordinal(group('d_day'))}, {_en_number(group('d_year'))}"
    if rule == "temperature":
        scale = "Fahrenheit" if _fahrenheit(group("unit")) else "Celsius"
        return f"{'minus ' if _negative(group('t_sign')) else ''}{_en_number(group('t_value'))} degrees {scale}"
    if rule == "money":
        return _en_money(group("currency"), group("m_value"), group("m_high"), group("scale") or group("short"))
    if rule == "percent_range":
        return f"{_en_number(group('q_low'))} to {_en_number(group('q_high'))} percent"
    if rule == "percent":
        return f"{'minus ' if _negative(group('p_sign')) else ''}{_en_number(group('p_value'))} percent"
    if rule == "ratio":
        return f"{_en_number(group('left'))} to {_en_number(group('right'))}"
    if rule == "range":
        return f"{_en_number(group('low'))} to {_en_number(group('high'))}" if _rises(match) else None
    if rule == "fraction":
        if not _proper(match):
            return None
        return _en_fraction(int(group("numerator")), int(group("denominator")))
    return None  # clocks, years and plain numbers espeak-ng reads well in English


def _en_number(written: str) -> str:
    """Words for a number; a four-digit whole number from 1500 to 2099 is said as a year.

    >>> _en_number("131.4"), _en_number("37,000")
    ('one hundred and thirty-one point four', 'thirty-seven thousand')
    >>> _en_number("2024"), _en_number("2,024")
    ('twenty twenty-four', 'two thousand and twenty-four')
    """
    try:
        if re.fullmatch(r"1[5-9]\d\d|20\d\d", written):
            return str(num2words(int(written), to="year"))
        return str(num2words(_value(written)))
    except (InvalidOperation, OverflowError, ValueError, NotImplementedError):
        return written.replace(",", "")


def _en_ordinal(written: str) -> str:
    return str(num2words(int(written), to="ordinal"))


def _en_money(currency: str, low: str, high: str | None, scale: str | None) -> str:
    """
    >>> _en_money("£", "5", None, "m"), _en_money("$", "5", "10", "million"), _en_money("$", "1", None, None)
    ('five million pounds', 'five to ten million dollars', 'one dollar')
    """
    unit = _CURRENCIES_EN[currency]
    scale_word = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion"}.get(
        (scale or "").lower(), scale or ""
    )
    plural = "" if _value(low) == 1 and not (high or scale_word) else "s"
    plural = "" if unit in ("yen", "yuan") else plural
    amount = f"{_en_number(low)} to {_en_number(high)}" if high else _en_number(low)
    return " ".join(filter(None, (amount, scale_word, unit + plural)))


def _en_fraction(numerator: int, denominator: int) -> str:
    """
    >>> _en_fraction(1, 2), _en_fraction(3, 4), _en_fraction(2, 3), _en_fraction(5, 0)
    ('one half', 'three quarters', 'two thirds', 'five over zero')
    """
    if denominator == 0:
        return f"{num2words(numerator)} over zero"
    names = {2: ("half", "halves"), 4: ("quarter", "quarters")}
    ordinal = str(num2words(denominator, to="ordinal"))
    singular, plural = names.get(denominator, (ordinal, ordinal + "s"))
    return f"{num2words(numerator)} {singular if numerator == 1 else plural}"


_SAYERS: dict[NumberLanguage, Callable[[re.Match[str]], str | None]] = {"zh": _zh, "en": _en}
