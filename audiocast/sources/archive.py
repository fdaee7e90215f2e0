"""The RSS-archive article format: one Markdown file per article with an HTML body.

    <!--1701121143000-->                      archived at, epoch milliseconds
    [title](https://original/url)
    ------
    <div><i>Mon, 27 Nov 2023 21:07:35 GMT</i></div>   published (RFC 2822)
    <img …><div><small>caption</small></div><p>…</p>  the body, as HTML

A post may carry YAML front matter (``---`` / ``title:``, ``date:``, ``link:``, ``source:`` / ``---``)
before or after those header lines, and a Markdown body instead of HTML. Title, date, link and
source are taken from the front matter first, then the archive's lines; a date the text
contradicts by years is not believed (``dating.py``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import logging
import re
from typing import Any

from bs4 import BeautifulSoup

from ..links import safe_link
from ..models import Article
from .article import make_article
from .dating import believable_date
from .dating import parse_date as _parse_date
from .html_body import read_blocks

log = logging.getLogger(__name__)

_STAMP = re.compile(r"^\s*<!--\s*(\d{10,14})\s*-->\s*$")
_TITLE = re.compile(r"^\[(?P<title>.+)\]\((?P<link>[^)\s]*)\)\s*$")
_RULE = re.compile(r"^\s*-{3,}\s*$")
_HTML_TAG = re.compile(r"<(?:p|div|br|img|h[1-6]|span|figure|table|ul|ol|blockquote|section|article)\b", re.I)


def is_archive(text: str) -> bool:
    """Whether ``text`` starts like an archive article: a stamp, a ``[title](url)`` line or front matter.

    >>> is_archive("<!--1701121143000-->\\n[T](https://x)\\n------\\n<p>a</p>")
    True
    >>> is_archive("---\\ntitle: T\\ndate: 2023-08-01\\n---\\nBody."), is_archive("<html><p>a</p>")
    (True, False)
    """
    lines = [line for line in text.lstrip("\ufeff").splitlines()[:80] if line.strip()]
    if lines and _STAMP.match(lines[0]):
        lines = lines[1:]
    if lines and _RULE.match(lines[0]) and _front_matter_end(lines, 0):
        return True
    return bool(lines) and bool(_TITLE.match(lines[0].strip()))


def read_archive(text: str, origin: str) -> Article:
    """An archive article; YAML front matter, before or after the header lines, is trusted first."""
    header, lines = _read_header(text.lstrip("\ufeff").splitlines())
    body = "\n".join(lines)
    soup = BeautifulSoup(body if _HTML_TAG.search(body) else markdown_html(body), "lxml")
    date_line = take_date_line(soup)
    blocks = tuple(read_blocks(soup))
    source = header.get("source", "")
    given = header.get("link", "")
    source_is_link = safe_link(source) is not None
    link = given if safe_link(given) or not source_is_link else source  # a bad link falls back to a source URL
    published = believable_date(
        [_parse_date(header.get("date", "")), date_line, header.get("archived")],
        " ".join(block.text for block in blocks),
        origin,
    )
    if published is None:
        log.warning("%s: no date in the post; dated when it was read", origin)
    return make_article(
        title=_unescape_markdown(header.get("title", "")),
        link=link,
        published=published,
        blocks=blocks,
        origin=origin,
        author=header.get("author", ""),
        publisher=None if not source or source_is_link else source,
    )


def _read_header(lines: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The header fields and the body lines: stamp, ``[title](link)``, rule and front matter, in any order.

    Front matter keys win over the archive's own lines.

    >>> header, body = _read_header(["<!--1701121143000-->", "---", "title: 標題", "date: 2023-08-01", "---",
    ...                              "[Caption](https://x.org/a)", "------", "<p>text</p>"])
    >>> header["title"], header["link"], header["date"], body
    ('標題', 'https://x.org/a', '2023-08-01', ['<p>text</p>'])
    """
    archive: dict[str, Any] = {}
    front: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        stamp, heading = _STAMP.match(line), _TITLE.match(line)
        end = _front_matter_end(lines, index) if _RULE.match(line) and not front else None
        if not line or (_RULE.match(line) and end is None):
            index += 1
        elif stamp and "archived" not in archive:
            archive["archived"] = dt.datetime.fromtimestamp(int(stamp.group(1)[:13]) / 1000, dt.UTC)
            index += 1
        elif heading and "title" not in archive:
            archive.update(title=heading.group("title"), link=heading.group("link"))
            index += 1
        elif end is not None:
            front = _front_matter(lines[index + 1 : end])
            index = end + 1
        else:
            break
    return {**archive, **{key: value for key, value in front.items() if value}}, lines[index:]


_FRONT_KEYS = {
    "title": "title",
    "date": "date",
    "published": "date",
    "pubdate": "date",
    "link": "link",
    "url": "link",
    "original_url": "link",
    "canonical_url": "link",
    "source": "source",
    "publisher": "source",
    "author": "author",
}
_FRONT_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*)$")


def _front_matter_end(lines: list[str], start: int) -> int | None:
    """The index of the ``---`` closing front matter that opens at ``start``, or None if it is not one."""
    for index in range(start + 1, min(len(lines), start + 60)):
        line = lines[index].strip()
        if _RULE.match(line):
            return index if index > start + 1 else None
        if line and not (_FRONT_LINE.match(line) or line.startswith(("- ", "#")) or lines[index][:1].isspace()):
            return None
    return None


def _front_matter(lines: list[str]) -> dict[str, str]:
    r"""The fields audiocast uses from flat YAML front matter (quoted, plain or block scalars).

    >>> _front_matter(['title: "A \"quoted\" title"', "date: '2001-01-01'", "tags:", "  - x", "link: https://x.org/a"])
    {'title': 'A "quoted" title', 'date': '2001-01-01', 'link': 'https://x.org/a'}

    A block scalar (``>``, ``|``, with ``-``/``+``) or a plain one folded over indented lines is one line:

    >>> _front_matter(["title: >-", "  A folded", "  title", "source: |", "  Example", "  News", "date: 2023-08-01"])
    {'title': 'A folded title', 'source': 'Example News', 'date': '2023-08-01'}
    >>> _front_matter(["title: A plain title", "  over two lines", "link:", "  https://x.org/a", "author:", "  - Jane"])
    {'title': 'A plain title over two lines', 'link': 'https://x.org/a', 'author': ''}
    """
    fields: dict[str, str] = {}
    for index, line in enumerate(lines):
        match = _FRONT_LINE.match(line)
        key = _FRONT_KEYS.get(match.group("key").lower()) if match else None
        if match and key and key not in fields:
            fields[key] = _value(match.group("value"), _continuation(lines[index + 1 :]))
    return fields


_NESTED = re.compile(r"^(?:-\s|[\w-]+\s*:(?:\s|$))")
"""An indented line that is a list item or a nested key, not the continuation of a scalar."""
_BLOCK_SCALAR = re.compile(r"^[|>](?:[+-]?[1-9]?|[1-9][+-])\s*(?:#.*)?$")


def _continuation(lines: list[str]) -> list[str]:
    """The indented lines that continue a key's value, stripped, blank ones left out."""
    taken: list[str] = []
    for line in lines:
        if line.strip() and not line[:1].isspace():
            break
        taken.append(line.strip())
    return [line for line in taken if line]


def _value(value: str, continuation: list[str]) -> str:
    """A scalar on one line: a block scalar's lines, or a plain scalar's, are joined with spaces
    (a literal block's line breaks too: the fields audiocast uses are one line each)."""
    value = value.strip()
    if _BLOCK_SCALAR.match(value):
        return " ".join(continuation)
    plain = value[:1] not in ("'", '"')
    folded = plain and not any(_NESTED.match(line) for line in continuation)
    return _scalar(" ".join([value, *continuation]) if folded else value)


def _scalar(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return re.sub(r"\s+#.*$", "", value)


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


_MD_TARGET = r"(?:[^()\s]|\([^()\s]*\))+"
"""A link's address, which may hold balanced parentheses: ``https://zh.wikipedia.org/wiki/北约_(组织)``."""
_MD_IMAGE = re.compile(rf'!\[(?P<alt>[^\]]*)\]\((?P<src>{_MD_TARGET})(?:\s+"(?P<title>[^"]*)")?\)')
_MD_LINK = re.compile(rf"\[(?P<text>[^\]]+)\]\({_MD_TARGET}(?:\s+\"[^\"]*\")?\)")
_MD_STRONG = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_MD_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s+")
"""The mark of a list item, bulleted or numbered."""
_MD_EMPHASIS = re.compile(r"(?<!\*)\*(?![\s*])(.+?)(?<![\s*])\*(?!\*)|(?<![_\w])_(?![\s_])(.+?)(?<![\s_])_(?![_\w])")


def markdown_html(text: str) -> str:
    """A Markdown body as the HTML the body reader takes: paragraphs, headings, images, quotes, lists.

    Links keep their text; anything fancier is read as its text.

    >>> print(markdown_html("# Part\\n\\n![Alt](a.jpg)\\n\\nSee [it](https://x.org) **now**.\\n\\n> Said."))
    <h2>Part</h2>
    <p><img src="a.jpg" alt="Alt" title=""></p>
    <p>See it <strong>now</strong>.</p>
    <blockquote>Said.</blockquote>
    """
    parts = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        while lines and lines[0].startswith("#"):  # a paragraph may follow its heading without a blank line
            parts.append(f"<h2>{_inline(lines[0].lstrip('#').strip())}</h2>")
            lines = lines[1:]
        if not lines:
            continue
        if all(line.startswith(">") for line in lines):
            parts.append(f"<blockquote>{_inline(' '.join(line.lstrip('> ') for line in lines))}</blockquote>")
        elif all(_MD_ITEM.match(line) for line in lines):
            parts.append("<ul>" + "".join(f"<li>{_inline(_MD_ITEM.sub('', line))}</li>" for line in lines) + "</ul>")
        else:
            parts.append(f"<p>{'<br>'.join(_inline(line) for line in lines)}</p>")
    return "\n".join(parts)


def _inline(text: str) -> str:
    images: list[str] = []

    def image(match: re.Match[str]) -> str:
        alt, src, title = (html.escape(match.group(key) or "") for key in ("alt", "src", "title"))
        images.append(f'<img src="{src}" alt="{alt}" title="{title}">')
        return f"\0{len(images) - 1}\0"

    text = html.escape(_MD_LINK.sub(r"\g<text>", _MD_IMAGE.sub(image, text)), quote=False)
    text = _MD_STRONG.sub(lambda match: f"<strong>{match.group(1) or match.group(2)}</strong>", text)
    text = _MD_EMPHASIS.sub(lambda match: f"<em>{match.group(1) or match.group(2)}</em>", text)
    return re.sub(r"\0(\d+)\0", lambda match: images[int(match.group(1))], text)


def _unescape_markdown(title: str) -> str:
    r"""Undo Markdown escapes in a link title.

    >>> _unescape_markdown(r"A \[draft\] \*plan\*")
    'A [draft] *plan*'
    """
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", title)
