"""Assemble an ``Article`` from the parts every source yields: title, link, date, body blocks.

This is the door every reader goes through, so the text rules are applied here, once, to every
field: characters no output may carry are removed (``audiocast.text``), a link that is not http(s)
is dropped with a warning (``audiocast.links``), and the title and author are bounded. A title
longer than ``TITLE_LIMIT`` is cut at a word boundary for display and speech; when the body does
not already hold its full text (a feed whose entries are all title), the full title becomes the
first paragraph, so no words are lost.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Sequence
from urllib.parse import urljoin

from ..errors import ReadError
from ..language import detect_language
from ..links import safe_link
from ..models import Article, Block
from ..tally import removed
from ..text import PHOTO_CREDIT, clean_text, shorten, speakable
from .html_body import nearby, same_words
from .sites import publisher_named, source_name

log = logging.getLogger(__name__)

TITLE_LIMIT = 250
"""Characters of a title that are shown and spoken; a longer one is cut at a word boundary."""
AUTHOR_LIMIT = 100

_SPACE = re.compile(r"\s+")
_BODY_KINDS = frozenset({"paragraph", "quote", "list_item"})


def make_article(
    *,
    title: str,
    link: str,
    published: dt.datetime | None,
    blocks: tuple[Block, ...],
    origin: str,
    author: str = "",
    fallback_published: dt.datetime | None = None,
    publisher: str | None = None,
) -> Article:
    """Build an Article; ``origin`` names the input in errors. Dates without a zone are taken as UTC.

    ``publisher`` names who published it when the link's site does not (None: the link's site does;
    ``""``: nobody can be named); a known publisher is spoken in the article's language.
    """
    blocks = _clean_blocks(blocks)
    title = _folded(title)
    link = _checked_link(clean_text(link).strip(), origin)
    if len(title) > TITLE_LIMIT and not _holds(blocks, title):
        blocks = (Block("paragraph", title), *blocks)
    if not any(block.kind in _BODY_KINDS and speakable(block.text) for block in blocks):
        raise ReadError(f"{origin}: no article text found (is this an article page?)")
    title = shorten(title, TITLE_LIMIT) or _first_words(blocks)
    blocks = read_once(title, blocks)
    body_text = " ".join(block.text for block in blocks)
    language = detect_language(title + " " + body_text)
    when = published or fallback_published or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    identity = link or hashlib.sha256(body_text.encode()).hexdigest()
    if link:  # relative image addresses in a page or feed entry are relative to the article
        blocks = tuple(dataclasses.replace(b, src=_absolute(link, b.src)) if b.src else b for b in blocks)
    return Article(
        id=hashlib.sha256(identity.encode()).hexdigest()[:16],
        title=title,
        link=link,
        published=when,
        source_name=source_name(link, language) if publisher is None else _publisher(publisher, language),
        language=language,
        blocks=blocks,
        author=shorten(_folded(author), AUTHOR_LIMIT),
        images=tuple(block.src for block in blocks if block.kind == "figure" and block.src),
        dated=bool(published or fallback_published),
    )


def _folded(text: str) -> str:
    return _SPACE.sub(" ", clean_text(text)).strip()


def _clean_blocks(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """The blocks with their text cleaned and folded; a block with nothing left is dropped."""
    cleaned = (Block(block.kind, text, clean_text(block.src)) for block in blocks if (text := _folded(block.text)))
    return tuple(cleaned)


def _holds(blocks: tuple[Block, ...], text: str) -> bool:
    return any(text in block.text for block in blocks)


def _checked_link(link: str, origin: str) -> str:
    """The article's link, or ``""`` with a warning when it is not an http(s) address."""
    if link and safe_link(link) is None:
        log.warning("%s: link %r is not an http(s) address; left out", origin, shorten(link, 80))
        return ""
    return link


_HEADLINE_REACH = 3
"""How many blocks from the top a repeated headline may stand (after a lead image or a stamp line)."""


def read_once(title: str, blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Blocks without what is said elsewhere: the headline at the top of the body or as a caption,
    and a paragraph next to a caption that repeats it (the caption keeps the sentence, as an aside).

    >>> blocks = (Block("heading", "Harbor reopens!"), Block("figure", "Boats return. (AP Photo)", src="a.jpg"),
    ...           Block("paragraph", "Boats return."), Block("paragraph", "Ferries resumed."))
    >>> [block.text for block in read_once("Harbor reopens", blocks)]
    ['Boats return. (AP Photo)', 'Ferries resumed.']
    """
    kept: list[Block] = []
    for index, block in enumerate(blocks):
        near_top = index < _HEADLINE_REACH and block.kind in {"heading", "paragraph"}
        if (near_top or block.kind == "figure") and same_words(block.text, title):
            removed("headline repeated", block.text)
            continue
        if block.kind == "paragraph" and _repeats_a_caption(block, nearby(blocks, index)):
            removed("caption repeated", block.text)
            continue
        kept.append(block)
    if not any(block.kind != "figure" for block in kept):
        return blocks  # a body that is only its headline: better read twice than not at all
    return tuple(kept)


def _repeats_a_caption(paragraph: Block, near: Sequence[Block]) -> bool:
    captions = [block.text for block in near if block.kind == "figure"]
    return any(same_words(paragraph.text, PHOTO_CREDIT.sub("", text)) for text in captions)


def _publisher(name: str, language: str) -> str:
    """
    >>> _publisher("德國之聲", "zh-CN"), _publisher("TechCrunch", "zh-CN"), _publisher("", "en")
    ('德国之声', 'TechCrunch', '')
    """
    name = _folded(name)
    return publisher_named(name, language) or name


def _absolute(link: str, src: str) -> str:
    """``src`` resolved against the article's address; a malformed one is kept as it is.

    >>> _absolute("https://x.org/a/story.html", "../img/1.jpg"), _absolute("https://x.org/", "http://[bad")
    ('https://x.org/img/1.jpg', 'http://[bad')
    """
    try:
        return urljoin(link, src)
    except ValueError:
        return src


def _first_words(blocks: tuple[Block, ...]) -> str:
    first = next(block.text for block in blocks if block.kind in _BODY_KINDS)
    return shorten(first, 60)
