"""Plain text articles: the first line is the title, blank lines separate paragraphs."""

from __future__ import annotations

import re

from ..errors import ReadError
from ..models import Article, Block
from .article import make_article

_BLANK_LINES = re.compile(r"\n\s*\n")


def read_text(text: str, origin: str) -> Article:
    chunks = [re.sub(r"\s+", " ", chunk).strip() for chunk in _BLANK_LINES.split(text.strip())]
    chunks = [chunk for chunk in chunks if chunk]
    if len(chunks) < 2:
        raise ReadError(f"{origin}: no article text found (expected a title line, a blank line, then paragraphs)")
    title = chunks[0].lstrip("# ").strip()
    blocks = tuple(_block(chunk) for chunk in chunks[1:])
    return make_article(title=title, link="", published=None, blocks=blocks, origin=origin)


def _block(chunk: str) -> Block:
    if chunk.startswith("#"):
        return Block("heading", chunk.lstrip("# ").strip())
    return Block("paragraph", chunk)
