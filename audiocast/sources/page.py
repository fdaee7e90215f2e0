"""A plain HTML article page (saved from a browser or fetched): title, link, date and body.

The body is the page's ``<article>`` (or the element holding most paragraph text), read by the
same body reader as archive files, so page chrome around it is never read.
"""

from __future__ import annotations

import datetime as dt
import re

from bs4 import BeautifulSoup, Tag

from ..models import Article
from .article import make_article
from .html_body import drop_chrome, read_blocks

_TITLE_SUFFIX = re.compile(r"\s+[|\-–—_]\s+[^|\-–—_]{1,40}$")

_META = {
    "title": [("property", "og:title"), ("name", "twitter:title")],
    "link": [("property", "og:url")],
    "published": [("property", "article:published_time"), ("name", "pubdate"), ("itemprop", "datePublished"),
                  ("name", "date")],
    "author": [("name", "author"), ("property", "article:author")],
}
"""Article field → the ``<meta>`` attributes that carry it, most trusted first."""


def read_page(text: str, origin: str) -> Article:
    soup = BeautifulSoup(text, "lxml")
    title = _meta(soup, "title") or _first_text(soup, "h1") or _page_title(soup)
    canonical = soup.find("link", rel="canonical")
    link = _meta(soup, "link") or (str(canonical.get("href", "")) if isinstance(canonical, Tag) else "")
    published = _parse_date(_meta(soup, "published") or _time_attribute(soup))
    author = _meta(soup, "author")
    root = _article_root(soup)
    _drop_title_heading(root, title)
    return make_article(
        title=title, link=link, published=published, blocks=tuple(read_blocks(root)), origin=origin, author=author
    )


def _meta(soup: BeautifulSoup, field: str) -> str:
    for attribute, value in _META[field]:
        tag = soup.find("meta", attrs={attribute: value})
        if isinstance(tag, Tag) and str(tag.get("content", "")).strip():
            return str(tag["content"]).strip()
    return ""


def _first_text(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find(name)
    return tag.get_text(" ", strip=True) if isinstance(tag, Tag) else ""


def _page_title(soup: BeautifulSoup) -> str:
    return _TITLE_SUFFIX.sub("", _first_text(soup, "title"))


def _time_attribute(soup: BeautifulSoup) -> str:
    tag = soup.find("time", datetime=True)
    return str(tag["datetime"]) if isinstance(tag, Tag) else ""


def _parse_date(value: str) -> dt.datetime | None:
    """ISO 8601 dates as pages carry them; anything else is ignored rather than guessed.

    >>> _parse_date("2023-11-27T21:07:35Z").isoformat()
    '2023-11-27T21:07:35+00:00'
    >>> _parse_date("last Tuesday") is None
    True
    """
    try:
        return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _article_root(soup: BeautifulSoup) -> Tag:
    """The element holding the article: the largest ``<article>``, else the densest paragraph parent."""
    drop_chrome(soup)
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=_paragraph_text_length)
    parents = {id(p.parent): p.parent for p in soup.find_all("p") if isinstance(p.parent, Tag)}
    if parents:
        return max(parents.values(), key=_paragraph_text_length)
    body = soup.body
    return body if body is not None else soup


def _paragraph_text_length(node: Tag) -> int:
    return sum(len(p.get_text(strip=True)) for p in node.find_all("p", recursive=False)) or len(
        node.get_text(strip=True)
    ) // 4


def _drop_title_heading(root: Tag, title: str) -> None:
    for heading in root.find_all(["h1", "h2"], limit=2):
        if heading.get_text(" ", strip=True) == title:
            heading.decompose()
