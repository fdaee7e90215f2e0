"""Language tags (BCP 47) as voice choice reads them, with CLDR's names and likely forms (Babel).

A tag is a language with an optional script, region and variant (``zh-Hant-TW``, ``pt-BR``,
``zh-CN-liaoning``). Legacy and macrolanguage codes are read as the language voices are filed
under (``iw`` → ``he``, ``tl`` → ``fil``, ``no`` → ``nb``: ``spoken_language``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from babel.core import get_global, parse_locale

LANGUAGE_RENAMES = {
    "no": "nb",
    "nn": "nb",
    "arz": "ar",
    "ary": "ar",
    "uzs": "uz",
    "wuu": "zh",
    "pcm": "en",
}
"""Languages read as another, after CLDR's own aliases (``tl`` → ``fil``, ``iw`` → ``he``): Norwegian
(and Nynorsk, which no voice speaks) as Bokmål, the ``nb`` both voice catalogs file it under;
Egyptian and Moroccan Arabic, Southern Uzbek and Wu as their standard language; Nigerian Pidgin,
which no voice speaks, as English, whose voices read it best."""

_LANGUAGE = re.compile(r"[a-z]{2,3}")


@dataclass(frozen=True)
class Tag:
    language: str
    script: str | None = None
    region: str | None = None
    variant: str | None = None
    """A dialect subtag (``liaoning``): such voices speak a dialect, not the language at large."""

    @classmethod
    def parse(cls, text: str) -> Tag | None:
        """``text`` as a tag, or None when it is not one.

        >>> str(Tag.parse("iu-Cans-CA")), str(Tag.parse("iw")), str(Tag.parse("pt_br")), str(Tag.parse("no"))
        ('iu-Cans-CA', 'he', 'pt-BR', 'nb')
        >>> Tag.parse("zh-CN-liaoning")
        Tag(language='zh', script=None, region='CN', variant='liaoning')
        >>> Tag.parse("English") is None, Tag.parse("") is None
        (True, True)
        """
        try:
            parts = parse_locale(text.strip().replace("_", "-"), sep="-")
        except ValueError:
            return None
        language, region, script, variant = parts[0].lower(), parts[1], parts[2], parts[3]
        if not _LANGUAGE.fullmatch(language):
            return None
        return cls(spoken_language(language), script, region, variant.lower() if variant else None)

    def likely(self) -> Tag:
        """The tag with CLDR's likely script and region filled in where it has none.

        >>> str(Tag("pt").likely()), str(Tag("zh", region="HK").likely()), str(Tag("sr", "Latn").likely())
        ('pt-Latn-BR', 'zh-Hant-HK', 'sr-Latn-RS')
        """
        likely = get_global("likely_subtags")
        keys = [f"{self.language}_{part}" for part in (self.region, self.script) if part] + [self.language]
        for key in keys:
            if key in likely:
                parts = parse_locale(likely[key])
                return Tag(self.language, self.script or parts[2], self.region or parts[1], self.variant)
        return self

    def __str__(self) -> str:
        return "-".join(part for part in (self.language, self.script, self.region, self.variant) if part)


def spoken_language(code: str) -> str:
    """The language code voices file ``code`` under: CLDR's for a legacy or ISO 639-3 code, then
    ``LANGUAGE_RENAMES``.

    >>> [spoken_language(code) for code in ("iw", "tl", "kik", "no", "de")]
    ['he', 'fil', 'ki', 'nb', 'de']
    """
    language: str = get_global("language_aliases").get(code, code)
    return LANGUAGE_RENAMES.get(language, language)


def language_label(text: str) -> str:
    """The language of tag ``text`` named in English with its code, for messages.

    >>> language_label("km-KH"), language_label("yo"), language_label("xx-YY")
    ('Khmer (km)', 'Yoruba (yo)', "the language 'xx-YY'")
    """
    tag = Tag.parse(text)
    locale = babel_locale(tag.language) if tag else None
    name = locale.get_display_name("en") if locale else None
    return f"{name} ({tag.language})" if tag and name else f"the language {text!r}"


def babel_locale(text: str) -> Locale | None:
    """Babel's locale for tag ``text``, else for its language; None when CLDR knows neither.

    >>> str(babel_locale("de-DE")), str(babel_locale("de-XX")), babel_locale("xx")
    ('de_DE', 'de', None)
    """
    tag = Tag.parse(text)
    if tag is None:
        return None
    for candidate in (str(tag), tag.language):
        try:
            return Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return None


def closest(text: str, names: Iterable[str]) -> str | None:
    """Of the tags ``names``, the one that best fits tag ``text``: the same tag, else one of the same
    language and (likely) script, else the first of the same language; None when no name fits.

    >>> closest("zh-HK", ["en-US", "zh-CN", "zh-TW"]), closest("pt-PT", ["en", "pt"]), closest("yue", ["zh-TW"])
    ('zh-TW', 'pt', None)
    """
    tag = Tag.parse(text)
    if tag is None:
        return None
    tags = {name: Tag.parse(name) for name in names}
    same_language = [name for name, other in tags.items() if other is not None and other.language == tag.language]
    for name in same_language:
        if tags[name] == tag:
            return name
    script = tag.likely().script
    same_script = [name for name in same_language if (other := tags[name]) and other.likely().script == script]
    return next(iter(same_script or same_language), None)


@functools.cache
def written_in_latin(language: str) -> bool:
    """Whether ``language`` is written in Latin letters: its tag's script, else CLDR's likely one.

    >>> written_in_latin("de-DE"), written_in_latin("vi"), written_in_latin("ru-RU"), written_in_latin("zh-CN")
    (True, True, False, False)
    >>> written_in_latin("sr-Latn-RS"), written_in_latin("sr-RS"), written_in_latin("x")
    (True, False, False)
    """
    tag = Tag.parse(language)
    return tag is not None and tag.likely().script == "Latn"
