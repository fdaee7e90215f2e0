"""The words audiocast says around an article, in the article's language (``data/phrases.toml``).

Each phrase is written once, in the table; voice profiles take theirs from it by language, and a
profile's own ``[words]`` may override any of them.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, fields
from importlib import resources

from .locales import closest


@dataclass(frozen=True)
class Words:
    """Spoken phrasing.

    ``meta`` takes ``{source}`` and ``{date}``, ``outro`` takes ``{source}``. ``date`` is empty to say
    dates the CLDR way for the language, or a template of ``{year}``, ``{month}``, ``{day}`` and
    ``{month_name}``. An empty ``caption_lead_in`` means no words: a tone marks the aside instead;
    an empty ``outro`` means no closing line.
    """

    caption_lead_in: str
    meta: str
    date: str
    outro: str


WORD_KEYS = tuple(field.name for field in fields(Words))

NEUTRAL = Words(caption_lead_in="", meta="{source}, {date}", date="", outro="")
"""For a language the table lacks: no words in another language, only the source and the date."""


@functools.cache
def phrase_table() -> dict[str, dict[str, str]]:
    """Language tag → its phrases, as the table writes them."""
    text = resources.files("audiocast.data").joinpath("phrases.toml").read_text(encoding="utf-8")
    table: dict[str, dict[str, str]] = tomllib.loads(text)
    return table


def words_for(language: str) -> Words:
    """The table's words for ``language`` (see ``locales.closest``), else ``NEUTRAL``.

    >>> words_for("zh-HK").outro, words_for("pt-BR").caption_lead_in, words_for("yo") == NEUTRAL
    ('以上是{source}的報導。', 'Legenda da foto:', True)
    """
    table = phrase_table()
    key = closest(language, table)
    if key is None:
        return NEUTRAL
    return Words(**{name: table[key].get(name, getattr(NEUTRAL, name)) for name in WORD_KEYS})
