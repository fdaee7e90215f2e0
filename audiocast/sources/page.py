"""A plain HTML article page (saved from a browser or fetched): title, link, date and body.

The body is the page's main content as trafilatura finds it (see ``extract.py``); a page where it
finds nothing (a tiny page, a bare fragment), or only the bare text of a short page, is read from
its ``<article>`` or the element holding most paragraph text, by the same body reader as archive
files. The title is the headline without the site's name; the date comes from the page's
metadata, JSON-LD, ``<time>``, its address or its visible text (see ``page_meta.py``).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag
from lxml import html as lxml_html
from lxml.html import HtmlElement

from ..models import Article, Block
from .article import make_article
from .extract import main_blocks
from .html_body import drop_chrome, read_blocks
from .page_meta import meta_content, page_heading, published_at
from .sites import host_of, is_known_site, is_stand_in, publisher_named

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_SPOKEN_BODY = frozenset({"paragraph", "quote", "list_item"})


def read_page(text: str, origin: str, *, address: str = "") -> Article:
    """The article on a page; ``address`` is where it was fetched from (after redirects), if it was.

    The page's canonical link (og:url, ``<link rel="canonical">``) is the article's link, resolved
    against ``address``; a fetched page that names none is linked to ``address`` itself.
    """
    tree = parse_page(text)
    canonical = meta_content(tree, "link") or _canonical(tree)
    link = urljoin(address, canonical) if canonical else address
    heading = page_heading(tree, link)
    title = heading.title
    published = published_at(tree, link)
    found = main_blocks(tree, own_reading=lambda: fallback_blocks(text, title))
    return make_article(
        title=title,
        link=link,
        published=published,
        blocks=_without_title(found, title) if _has_body(found) else fallback_blocks(text, title),
        origin=origin,
        author=meta_content(tree, "author"),
        publisher=page_publisher(heading.site, link),
    )


def page_publisher(site: str, link: str) -> str | None:
    """Who published a page named ``site`` by itself, at ``link`` (see ``make_article``'s ``publisher``).

    A site of the known table is named by the table; else by the name the page gives itself; else
    (None) by its domain word. A page on a relay (a mirror, an archive) is named only by a known
    publisher's name it carries: its own name is the relay's.

    >>> page_publisher("Tagesspiegel", "https://www.tagesspiegel.de/a"), page_publisher("Tagesspiegel", "https://www.dw.com/de/a")
    ('Tagesspiegel', None)
    >>> page_publisher("My Archive", "https://me.github.io/a"), page_publisher("BBC News", "https://me.github.io/a")
    ('', 'BBC News')
    >>> page_publisher("", "https://www.lemonde.fr/a")
    """
    host = host_of(link)
    if is_known_site(host):
        return None
    if is_stand_in(host):
        return site if publisher_named(site, "en") else ""
    return site or None


def parse_page(text: str) -> HtmlElement:
    """The page as an lxml tree (lxml refuses text that still declares an XML encoding)."""
    return lxml_html.fromstring(_XML_DECLARATION.sub("", text) or "<html></html>")


def _has_body(blocks: tuple[Block, ...]) -> bool:
    return any(block.kind in _SPOKEN_BODY for block in blocks)


def _without_title(blocks: tuple[Block, ...], title: str) -> tuple[Block, ...]:
    """The blocks without the headline (at their top, or as a heading anywhere): it is read as the title."""
    return tuple(
        block
        for index, block in enumerate(blocks)
        if not (block.text == title and (index < 3 or block.kind == "heading"))
    )


def _canonical(tree: HtmlElement) -> str:
    for link in tree.iterfind(".//link[@rel='canonical']"):
        return str(link.get("href") or "").strip()
    return ""


def fallback_blocks(text: str, title: str) -> tuple[Block, ...]:
    """The blocks of the largest ``<article>`` or the densest paragraph parent (the reader before trafilatura)."""
    root = _article_root(BeautifulSoup(text, "lxml"))
    _drop_title_heading(root, title)
    return tuple(read_blocks(root))


def _article_root(soup: BeautifulSoup) -> Tag:
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
    return (
        sum(len(p.get_text(strip=True)) for p in node.find_all("p", recursive=False))
        or len(node.get_text(strip=True)) // 4
    )


def _drop_title_heading(root: Tag, title: str) -> None:
    for heading in root.find_all(["h1", "h2"], limit=2):
        if heading.get_text(" ", strip=True) == title:
            heading.decompose()
