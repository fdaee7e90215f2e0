"""The main content of a web page, found by trafilatura and read as audiocast blocks.

trafilatura decides which parts of the page are the article (it scores far better than a
hand-written root finder on real pages: see BENCHMARKS.md). Its structured output is then mapped
to blocks: ``head`` → heading (a chapter), ``p`` → paragraph, ``item`` → list item, ``quote`` →
quote, a table row → one paragraph, and ``graphic`` → a figure whose caption is read once as an
aside. trafilatura reads a caption as a paragraph of its own; the page's own caption elements
(``<figcaption>``, class ``caption``/``credit``) tell those apart, so a caption is never read as
article text.

A page whose article trafilatura finds thin (under its ``MIN_EXTRACTED_SIZE``, 250 characters: a
news brief) gets its rescue instead: the page's text as plain paragraphs, without headings or
figures and often run into one. That answer is not taken as the page's structure: audiocast's own
reader (``html_body``) reads the page too, and its blocks win when they are thin as well and say
nothing the answer does not. A rescue that is not the page's visible text (the ``articleBody`` of
its JSON-LD, on a page its scripts fill in) is the only copy of the body, and is kept.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bs4 import BeautifulSoup
from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from ..models import Block, BlockKind
from ..text import HAN_CHARACTER
from .furniture import EDITOR_CREDIT, PAGE_FURNITURE, PHOTO_CAPTION, furniture_rule, trim
from .html_body import (
    CHROME_CLASS,
    EMBED_CLASSES,
    TRACKER_SRC,
    is_hidden,
    meaningful_alt,
    read_blocks,
    words_within,
)

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # it logs every page it finds thin

_SPACE = re.compile(r"\s+")
_CAPTION_XPATH = etree.XPath("//figcaption|//*[contains(@class, 'caption') or contains(@class, 'credit')]")
_EMBED_XPATH = etree.XPath(
    " | ".join(f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]" for name in EMBED_CLASSES)
)
_ADDRESS = re.compile(r"[^\s\"'<>]*[/.][^\s\"'<>]*")
_MARKED_XPATH = etree.XPath("//*[@class or @id or @hidden or @aria-hidden or @style]")
_INLINE_CARD_XPATH = etree.XPath("//p//span[.//img][count(.//a) >= 2]")
_EDITOR_TEXT_XPATH = etree.XPath(
    "//text()[contains(., '编辑') or contains(., '編輯') or contains(., '责编') or contains(., '責編')]"
)
_PRECEDING_TEXT = etree.XPath("preceding::text()")
_FOLLOWING_TEXT = etree.XPath("following::text()")
_NAVIGATION = ("nav", "footer", "aside", "menu", "dialog")
"""Elements that are never the article; trafilatura drops them too, except on pages too small to score."""
_KEEP_EVEN_HIDDEN = frozenset({"html", "body", "main", "article"})
_TEXT_TAGS = frozenset({"head", "p", "item", "row", "code"})
_LAYOUT_CONTENT = ("head", "p", "list", "quote", "table")
_KINDS: dict[str, BlockKind] = {"head": "heading", "item": "list_item", "quote": "quote"}


def main_blocks(tree: HtmlElement, own_reading: Callable[[], tuple[Block, ...]] = tuple) -> tuple[Block, ...]:
    """The main content of a parsed page as blocks; empty when trafilatura finds no article in it.

    Hidden elements, embedded social posts and chrome are removed from ``tree`` first. Nothing is
    fetched. ``own_reading`` gives the page as audiocast's own reader reads it; it is asked only
    when trafilatura answers with plain paragraphs (see the module's notes on thin pages).
    """
    import trafilatura  # on first use: importing it takes half a second that other commands need not wait
    from trafilatura.settings import DEFAULT_CONFIG, Document

    around_credit = _around_closing_credit(tree)
    _drop_unread(tree)
    document = trafilatura.bare_extraction(
        tree,
        fast=True,  # its own heuristics only: the readability/jusText fallbacks cost time and score lower here
        include_comments=False,
        include_images=True,
        include_tables=True,
        include_formatting=True,
        include_links=True,  # to tell a paragraph that is only a link ("Read more: …") from article text
    )
    if not isinstance(document, Document) or document.body is None:
        return ()
    if _plain_paragraphs(document.body) and _shown_on(document.body, trafilatura.html2txt(tree)):
        thin = DEFAULT_CONFIG.getint("DEFAULT", "MIN_EXTRACTED_SIZE")
        own = own_reading()
        if own and _said_within(own, " ".join(document.body.itertext()), thin):
            return own
    blocks = _without_repeated_runs(list(_blocks(document.body, _captions(tree))))
    return tuple(_before_closing_credit(_with_continuations(tree, blocks), around_credit))


def _plain_paragraphs(body: etree._Element) -> bool:
    """Whether trafilatura's answer is only paragraphs of bare text: the form of its rescue for thin pages."""
    return all(child.tag == "p" and len(child) == 0 and not child.attrib for child in body)


def _shown_on(body: etree._Element, page_text: str) -> bool:
    """Whether each of trafilatura's paragraphs is text the page shows (its rescue may instead be the
    ``articleBody`` of the page's JSON-LD: on a page its scripts fill in, the only copy of the body)."""
    return words_within((paragraph.text or "" for paragraph in body), page_text)


def _said_within(blocks: tuple[Block, ...], answer: str, thin: int) -> bool:
    """Whether the blocks read fewer than ``thin`` characters of text (figures aside), all of them in ``answer``."""
    read = [block.text for block in blocks if block.kind != "figure"]
    return sum(map(len, read)) < thin and words_within(read, answer)


def _drop_unread(tree: HtmlElement) -> None:
    """Remove what a reader of the page never sees, navigation, and social posts embedded in the article."""
    doomed = [
        node
        for node in _MARKED_XPATH(tree)
        if node.tag not in _KEEP_EVEN_HIDDEN and (is_hidden(node.attrib) or _chrome_class(node))
    ]
    cards = [node for node in _INLINE_CARD_XPATH(tree) if _is_card(node)]
    for node in [*doomed, *_EMBED_XPATH(tree), *tree.iter(*_NAVIGATION), *cards]:
        if node.getparent() is not None:
            node.drop_tree()


def _is_card(span: HtmlElement) -> bool:
    """Inside a paragraph, a span that starts with an image and holds only links: a hover card about
    the name linked just before it, not text. (The span around both the name and its card starts
    with the name's link, and stays.)"""
    first = next(span.iter("img", "a"), None)
    return first is not None and first.tag == "img" and _only_links(span, "a")


def _chrome_class(node: HtmlElement) -> bool:
    tokens = [*str(node.get("class") or "").split(), str(node.get("id") or "")]
    return any(_chrome_token(token) for token in tokens if token)


@functools.lru_cache(maxsize=4096)
def _chrome_token(token: str) -> bool:
    return CHROME_CLASS.fullmatch(token) is not None


def _with_continuations(tree: HtmlElement, blocks: list[Block]) -> list[Block]:
    """The blocks with the rest of a body that the page splits into several containers of one class.

    Pages cut a long article into sibling containers (to put advertisements between them);
    trafilatura keeps the one it scored best. Any other element with the same tag and class as the
    container holding most of the chosen paragraphs is read too, in document order.
    """
    read = {block.text for block in blocks}
    container = _main_container(tree, read)
    if container is None:
        return blocks
    result = list(blocks)
    for other in tree.iter(container.tag):
        if other is container or other.get("class") != container.get("class") or _nested(other, container):
            continue
        extra = [block for block in _read_element(other) if block.text not in read and not _furniture(block.text)]
        if extra:
            at = _insert_position(tree, other, result)
            result[at:at] = extra
            read.update(block.text for block in extra)
    return result


def _around_closing_credit(tree: HtmlElement) -> tuple[str, str] | None:
    """The page's text before and after the last editor's credit (``责任编辑：王明``), if it has one.

    Only a page whose title is in Han characters is searched: the credit is a Chinese portal's."""
    if not HAN_CHARACTER.search(str(tree.findtext(".//title") or "")):
        return None
    credit = next((node for node in reversed(_EDITOR_TEXT_XPATH(tree)) if EDITOR_CREDIT.match(node)), None)
    holder = credit.getparent() if credit is not None else None
    while holder is not None and not isinstance(holder.tag, str):  # a credit after a comment
        holder = holder.getparent()
    if holder is None:
        return None
    return _fold("".join(_PRECEDING_TEXT(holder))), _fold("".join(_FOLLOWING_TEXT(holder)))


def _before_closing_credit(blocks: list[Block], around_credit: tuple[str, str] | None) -> list[Block]:
    """The blocks without those the page shows after the editor's credit that closes its article.

    A Chinese portal ends the article with ``责任编辑：王明`` or ``（责编：…）``; what follows it
    (recommended stories, a teaser of another article, "热帖" lists) is the page's. Trailing blocks
    whose text is shown only after the last such credit are dropped, unless they would outweigh
    what is kept: a credit printed above the article does not end it.
    """
    if around_credit is None:
        return blocks
    before, after = around_credit
    keep = len(blocks)
    while keep and blocks[keep - 1].text in after and blocks[keep - 1].text not in before:
        keep -= 1
    kept, dropped = blocks[:keep], blocks[keep:]
    return kept if sum(len(block.text) for block in kept) > sum(len(block.text) for block in dropped) else blocks


def _furniture(text: str) -> bool:
    return furniture_rule(text, []) is not None or bool(PAGE_FURNITURE.search(text))


def _main_container(tree: HtmlElement, read: set[str]) -> HtmlElement | None:
    parents: dict[HtmlElement, int] = {}
    for paragraph in tree.iter("p"):
        parent = paragraph.getparent()
        if parent is not None and parent.get("class") and _fold(paragraph.text_content()) in read:
            parents[parent] = parents.get(parent, 0) + 1
    return max(parents, key=parents.__getitem__) if parents else None


def _nested(one: HtmlElement, other: HtmlElement) -> bool:
    return any(node is other for node in one.iterancestors()) or any(node is one for node in other.iterancestors())


def _read_element(element: HtmlElement) -> list[Block]:
    return list(read_blocks(BeautifulSoup(lxml_html.tostring(element, encoding="unicode"), "lxml")))


def _insert_position(tree: HtmlElement, element: HtmlElement, blocks: list[Block]) -> int:
    """After the last block whose paragraph comes before ``element`` in the page."""
    position = {block.text: index for index, block in enumerate(blocks)}
    at = 0
    for node in tree.iter():
        if node is element:
            break
        if node.tag == "p":
            at = max(at, position.get(_fold(node.text_content()), -1) + 1)
    return at


def _fold(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class _Captions:
    texts: frozenset[str]
    by_image: dict[str, str]
    """Image address (any of ``src``, ``data-src``…) → the caption of the ``<figure>`` holding it."""

    def holds(self, text: str) -> bool:
        return text in self.texts or (len(text) > 20 and any(text in caption for caption in self.texts))


def _captions(tree: HtmlElement) -> _Captions:
    by_image = {}
    for figure in tree.iter("figure"):
        caption = next(figure.iter("figcaption"), None)
        text = _fold(caption.text_content()) if caption is not None else ""
        for image in figure.iter("img") if text else ():
            by_image.update({str(value): text for value in image.attrib.values() if _ADDRESS.fullmatch(value)})
    return _Captions(frozenset(filter(None, (_fold(node.text_content()) for node in _CAPTION_XPATH(tree)))), by_image)


def _blocks(body: etree._Element, captions: _Captions) -> Iterator[Block]:
    """trafilatura's elements in order as blocks; a caption joins the figure before it."""
    figure: _Figure | None = None
    for kind, text, src in _pieces(body):
        if kind == "figure":
            yield from _finished(figure)
            figure = _Figure(src, captions.by_image.get(src, text))
        elif captions.holds(text) or (figure is not None and not figure.text and _photo_caption(text)):
            if figure is not None:  # a caption whose image was not kept is not read
                yield from _finished(_Figure(figure.src, text))
                figure = None
        elif not _furniture(text) and (kept := trim(text)):
            yield from _finished(figure)
            figure = None
            yield Block(kind, kept)
    yield from _finished(figure)


def _photo_caption(text: str) -> bool:
    """Whether a short line right after an image is its caption by its form: "图为…", "…（刘通摄）"."""
    return len(text) <= 150 and PHOTO_CAPTION.search(text) is not None


@dataclass(frozen=True)
class _Figure:
    src: str
    text: str


def _finished(figure: _Figure | None) -> Iterator[Block]:
    """A figure is read only when it has something to say: a caption or a meaningful alt text."""
    if figure is not None and figure.text:
        yield Block("figure", figure.text, src=figure.src)


def _pieces(body: etree._Element) -> Iterator[tuple[BlockKind, str, str]]:
    for node in body.iter("graphic", *_TEXT_TAGS):
        if node.tag == "graphic":
            src = str(node.get("src") or "")
            if src and not TRACKER_SRC.search(src):
                alt = _fold(str(node.get("alt") or node.get("title") or ""))
                yield "figure", alt if meaningful_alt(alt, src) else "", src
            continue
        if _is_layout_row(node) or any(map(_reads_whole, node.iterancestors())):
            continue  # a layout table's paragraphs and headings are read one by one; others are read whole
        if node.tag == "p" and _only_links(node, "ref"):
            continue  # "Read more: …" and related-story lines
        kind = _kind(node)
        for line in _lines(node):
            yield kind, line, ""


def _without_repeated_runs(blocks: list[Block]) -> list[Block]:
    """The blocks without a passage that replays, block for block, one read just before it.

    Nested layout tables can make trafilatura give a passage twice. Only a replay of two or more
    blocks and 100 characters or more is dropped: an interview asks each guest the same question,
    a shopping list repeats "See it now", a table repeats its header row.
    """
    kept: list[Block] = []
    seen: set[str] = set()
    run: list[Block] = []
    for block in [*blocks, None]:
        if block is not None and block.text in seen:
            run.append(block)
            continue
        if not _replays(kept, run):
            kept.extend(run)
        run = []
        if block is not None:
            kept.append(block)
            seen.add(block.text)
    return kept


def _replays(earlier: list[Block], run: list[Block]) -> bool:
    if len(run) < 2 or sum(len(block.text) for block in run) < 100:
        return False
    texts = [block.text for block in earlier]
    wanted = [block.text for block in run]
    return any(texts[start : start + len(wanted)] == wanted for start in range(len(texts) - len(wanted) + 1))


def _is_layout_row(node: etree._Element) -> bool:
    return node.tag == "row" and next(node.iter(*_LAYOUT_CONTENT), None) is not None


def _reads_whole(node: etree._Element) -> bool:
    """Whether ``node`` is read as one block, with everything inside it."""
    return node.tag in _TEXT_TAGS and not _is_layout_row(node)


def _kind(node: etree._Element) -> BlockKind:
    if node.tag in _KINDS:
        return _KINDS[node.tag]
    if any(ancestor.tag == "quote" for ancestor in node.iterancestors()):
        return "quote"
    if node.tag == "p" and _all_bold(node):
        return "heading"  # a paragraph that is all bold and short is a section title
    return "paragraph"


def _all_bold(node: etree._Element) -> bool:
    text = _fold("".join(node.itertext()))
    if not text or len(text) > 120 or (node.text or "").strip() or any((child.tail or "").strip() for child in node):
        return False
    return _fold("".join("".join(child.itertext()) for child in node if child.get("rend") == "#b")) == text


def _only_links(node: etree._Element, link_tag: str) -> bool:
    """Whether all of the element's text is inside links (``<a>`` in a page, ``<ref>`` in trafilatura's output)."""
    linked = "".join("".join(link.itertext()) for link in node.iter(link_tag))
    return bool(linked.strip()) and _SPACE.sub("", linked) == _SPACE.sub("", "".join(node.itertext()))


def _lines(node: etree._Element) -> Iterator[str]:
    """The text of an element, split at its line breaks; a table row is one line of its cells."""
    if node.tag == "row":
        line = "; ".join(filter(None, (_fold("".join(cell.itertext())) for cell in node)))
        if line:
            yield line
        return
    parts: list[str] = [node.text or ""]
    for child in node:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag != "graphic":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    yield from filter(None, (_fold(line) for line in "".join(parts).split("\n")))
