"""The RSS-archive article format: one Markdown file per article with an HTML body.

    <!--1701121143000-->                      archived at, epoch milliseconds
    [title](https://original/url)
    ------
    <div><i>Mon, 27 Nov 2023 21:07:35 GMT</i></div>   published (RFC 2822)
    <img …><div><small>caption</small></div><p>…</p>  the body, as HTML
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re

from bs4 import BeautifulSoup

from ..models import Article
from .article import make_article
from .html_body import read_blocks

_STAMP = re.compile(r"^\s*<!--\s*(\d{10,14})\s*-->\s*$")
_TITLE = re.compile(r"^\[(?P<title>.+)\]\((?P<link>[^)\s]*)\)\s*$")
_RULE = re.compile(r"^\s*-{3,}\s*$")


def is_archive(text: str) -> bool:
    """Whether ``text`` starts like an archive article (a stamp or a ``[title](url)`` line).

    >>> is_archive("<!--1701121143000-->\\n[T](https://x)\\n------\\n<p>a</p>")
    True
    >>> is_archive("<html><p>a</p>")
    False
    """
    head = [line for line in text.lstrip("\ufeff").splitlines()[:4] if line.strip()]
    if head and _STAMP.match(head[0]):
        head = head[1:]
    return bool(head) and bool(_TITLE.match(head[0].strip()))


def read_archive(text: str, origin: str) -> Article:
    lines = text.lstrip("\ufeff").splitlines()
    archived: dt.datetime | None = None
    while lines and not lines[0].strip():
        lines.pop(0)
    stamp = _STAMP.match(lines[0]) if lines else None
    if stamp:
        archived = dt.datetime.fromtimestamp(int(stamp.group(1)[:13]) / 1000, dt.UTC)
        lines.pop(0)
    while lines and not lines[0].strip():
        lines.pop(0)
    heading = _TITLE.match(lines.pop(0).strip()) if lines else None
    title, link = (heading.group("title"), heading.group("link")) if heading else ("", "")
    if lines and _RULE.match(lines[0]):
        lines.pop(0)
    soup = BeautifulSoup("\n".join(lines), "lxml")
    published = take_date_line(soup)
    return make_article(
        title=_unescape_markdown(title),
        link=link,
        published=published,
        blocks=tuple(read_blocks(soup)),
        origin=origin,
        fallback_published=archived,
    )


def take_date_line(soup: BeautifulSoup) -> dt.datetime | None:
    """Find the archive's ``<div><i>date</i></div>`` line, remove it from the body and parse it.

    Archive feeds carry the same line inside their entries' HTML, so feed entries use this too.
    """
    for italic in soup.find_all("i", limit=3):
        try:
            parsed = email.utils.parsedate_to_datetime(italic.get_text().strip())
        except (TypeError, ValueError, IndexError):
            continue
        italic.decompose()
        return parsed
    return None


def _unescape_markdown(title: str) -> str:
    r"""Undo Markdown escapes in a link title.

    >>> _unescape_markdown(r"A \[draft\] \*plan\*")
    'A [draft] *plan*'
    """
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", title)
