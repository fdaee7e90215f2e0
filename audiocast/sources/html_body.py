"""Article body HTML → ordered blocks. One reader for archive files, web pages and feed entries.

What a listener hears is decided by two tables below: which elements are page chrome (dropped
with everything inside them) and which text lines are chrome (copyright and "more feeds"
footers). Everything else becomes headings, paragraphs, figures, quotes and list items in
reading order. Keep the README's "what is read" section in sync with these tables.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bs4 import Tag
from bs4.element import Comment, Doctype, NavigableString, PageElement, ProcessingInstruction

from ..models import Block, BlockKind

CHROME_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "frame",
        "video",
        "audio",
        "source",
        "track",
        "object",
        "embed",
        "svg",
        "canvas",
        "form",
        "button",
        "input",
        "select",
        "textarea",
        "nav",
        "footer",
        "aside",
        "dialog",
        "menu",
        "link",
        "meta",
        "head",
    ]
)
"""Elements never read: code, media players, embeds, forms and navigation."""

CHROME_CLASS = re.compile(
    r"(?:[a-z0-9]+[-_]){0,2}"
    r"(?:share|sharing|social|comments?|related|tags|tag-?list|tag-?cloud|copyright|newsletter|subscribe|"
    r"advert\w*|ads?|promo|sponsor(?:ed)?|breadcrumbs?|twitter-tweet|instagram-media|tiktok-embed|"
    r"video-?player|player|more-?feeds|rss|toolbar|sr-only|visually-hidden|hidden)"
    r"(?:[-_](?:bar|box|links?|list|buttons?|tools|widget|block|section|area|container|wrapper|module|"
    r"items?|articles?|stories|posts|content|embed))?",
    re.IGNORECASE,
)
"""One class or id token of page chrome — share bars, related lists, tweets, tag lists, ads — matched
whole, so WordPress's ``tag-politics`` or Bootstrap's ``hidden-xs`` on an article are not chrome."""

_NEVER_CHROME = frozenset({"html", "body", "main", "article", "small", "figcaption", "img"})

CHROME_TEXT = re.compile(
    r"^\s*(?:©|\(c\)\s|copyright\b|all rights reserved|版权所有|版權所有|"
    r"(?:更多|more)\s*\S{0,12}\s*(?:rss|feeds?|订阅|訂閱|推送)|"
    r"(?:subscribe|订阅|訂閱)\b.{0,40}(?:rss|feed|newsletter|频道|頻道)|"
    r"(?:相关|相關|related)\s*(?:文章|新闻|新聞|报道|報導|articles?|stories|coverage)\s*[:：]?\s*$)",
    re.IGNORECASE,
)
"""Text lines that are page furniture rather than article: copyright and feed footers."""

TRACKER_SRC = re.compile(r"pixel|beacon|tracking|tracker|analytics|doubleclick|feedburner|/stats?[/?]", re.I)

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "figure",
        "figcaption",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "tr",
        "td",
        "th",
        "dl",
        "dt",
        "dd",
        "pre",
        "address",
        "center",
    ]
)
_MARKS = {
    "strong": "strong",
    "b": "strong",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "small": "caption",
    "figcaption": "caption",
    "blockquote": "quote",
    "li": "item",
    "a": "link",
}
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class _Text:
    text: str
    marks: frozenset[str]


@dataclass(frozen=True)
class _Break:
    pass


@dataclass(frozen=True)
class _Boundary:
    pass


@dataclass(frozen=True)
class _Image:
    src: str
    alt: str


_Event = _Text | _Break | _Boundary | _Image


def read_blocks(root: Tag) -> Iterator[Block]:
    """The blocks under a parsed element, in order, without page chrome (the element is changed in place).

    >>> from bs4 import BeautifulSoup
    >>> soup = BeautifulSoup("<p>One.<br/><br/><strong>Part two</strong><br/><br/>Two.</p>", "lxml")
    >>> [block.kind for block in read_blocks(soup)]
    ['paragraph', 'heading', 'paragraph']
    """
    drop_chrome(root)
    builder = _BlockBuilder()
    for event in _walk(root):
        builder.feed(event)
    yield from builder.finish()


def drop_chrome(root: Tag) -> None:
    """Remove page chrome from ``root`` in place."""
    for node in _outermost(root, _is_chrome):
        node.decompose()
    for node in _outermost(root, lambda tag: tag.name in {"ul", "ol"} and _is_link_list(tag)):
        node.decompose()


def _outermost(root: Tag, wanted: Callable[[Tag], bool]) -> list[Tag]:
    """The elements under ``root`` that are ``wanted``, without looking inside them.

    Iterative, so deep nesting cannot overflow the stack, and linear: bs4's ``decomposed`` check
    on a live tag searches its whole subtree, which made the old loop quadratic in nesting depth.
    """
    found: list[Tag] = []
    stack = [child for child in reversed(root.contents) if isinstance(child, Tag)]
    while stack:
        node = stack.pop()
        if wanted(node):
            found.append(node)
        else:
            stack.extend(child for child in reversed(node.contents) if isinstance(child, Tag))
    return found


def _is_chrome(node: Tag) -> bool:
    if node.name in CHROME_TAGS:
        return True
    if node.has_attr("hidden") or node.get("aria-hidden") == "true":
        return True
    style = str(node.get("style", "")).replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    if node.name not in _NEVER_CHROME and any(CHROME_CLASS.fullmatch(token) for token in _tokens(node)):
        return True
    return node.name == "img" and _is_tracker(node)


def _tokens(node: Tag) -> list[str]:
    classes = [str(token) for token in node.get_attribute_list("class") if token]
    return [*classes, str(node.get("id") or "")]


def _is_tracker(image: Tag) -> bool:
    size = [str(image.get(attribute, "")) for attribute in ("width", "height")]
    tiny = any(value.isdigit() and int(value) <= 2 for value in size)
    return tiny or bool(TRACKER_SRC.search(str(image.get("src", ""))))


def _is_link_list(listing: Tag) -> bool:
    """A list whose every item is only a link: related articles or tags, not content."""
    items = listing.find_all("li")
    return bool(items) and all(_only_links(item) for item in items)


def _only_links(node: Tag) -> bool:
    text = _SPACE.sub("", node.get_text())
    linked = _SPACE.sub("", "".join(link.get_text() for link in node.find_all("a")))
    return not text or text == linked


def _walk(root: Tag) -> Iterator[_Event]:
    """Events in document order; iterative (a stack of open elements), so any nesting depth is read."""
    stack: list[tuple[Iterator[PageElement], frozenset[str], bool]] = [(iter(root.contents), frozenset(), False)]
    while stack:
        children, marks, is_block = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if is_block:
                yield _Boundary()
        elif isinstance(child, Comment | Doctype | ProcessingInstruction):
            continue
        elif isinstance(child, NavigableString):
            yield _Text(str(child), marks)
        elif not isinstance(child, Tag):
            continue
        elif child.name == "br":
            yield _Break()
        elif child.name == "img":
            yield _Image(str(child.get("src", "")), _SPACE.sub(" ", str(child.get("alt", ""))).strip())
        else:
            inner = marks | {_MARKS[child.name]} if child.name in _MARKS else marks
            opens_block = child.name in _BLOCK_TAGS
            if opens_block:
                yield _Boundary()
            stack.append((iter(child.contents), inner, opens_block))


@dataclass
class _Figure:
    src: str
    alt: str
    caption: list[str] = field(default_factory=list)


class _BlockBuilder:
    """Gathers walker events into blocks: paragraphs end at blocks and at double ``<br>``."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.pieces: list[_Text] = []
        self.breaks = 0
        self.figure: _Figure | None = None

    def feed(self, event: _Event) -> None:
        if isinstance(event, _Text):
            self._text(event)
        elif isinstance(event, _Break):
            self.breaks += 1
            if self.breaks >= 2:
                self._end_paragraph()
            else:
                self.pieces.append(_Text("\n", frozenset()))
        elif isinstance(event, _Boundary):
            self._end_paragraph()
        else:
            self._end_paragraph()
            self._end_figure()
            self.figure = _Figure(event.src, event.alt)

    def finish(self) -> list[Block]:
        self._end_paragraph()
        self._end_figure()
        return self.blocks

    def _text(self, event: _Text) -> None:
        if not event.text.strip():
            self.pieces.append(_Text(" ", event.marks))
            return
        self.breaks = 0
        if self.figure is not None and "caption" in event.marks:
            self.figure.caption.append(event.text)
            return
        self._end_figure()
        self.pieces.append(event)

    def _end_paragraph(self) -> None:
        pieces, self.pieces, self.breaks = self.pieces, [], 0
        text = _plain("".join(piece.text for piece in pieces))
        if not text or CHROME_TEXT.search(text):
            return
        spoken = [piece for piece in pieces if piece.text.strip()]
        if all("link" in piece.marks for piece in spoken):
            return  # a paragraph of nothing but links: related-article or "read more" lines
        self.blocks.append(Block(_kind_of(spoken), text))

    def _end_figure(self) -> None:
        figure, self.figure = self.figure, None
        if figure is None:
            return
        caption = _plain("".join(figure.caption))
        text = caption or (figure.alt if _meaningful_alt(figure.alt, figure.src) else "")
        if text and not CHROME_TEXT.search(text):
            self.blocks.append(Block("figure", text, src=figure.src))


def _plain(text: str) -> str:
    """Text with white space folded and entities that survived parsing (double-escaped feeds) decoded.

    >>> _plain("a &amp;nbsp; b   c")
    'a b c'
    """
    for _ in range(3):  # &amp;nbsp; → &nbsp; → no-break space
        text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


def _kind_of(pieces: list[_Text]) -> BlockKind:
    for mark, kind in (("heading", "heading"), ("strong", "heading"), ("quote", "quote"), ("item", "list_item")):
        if all(mark in piece.marks for piece in pieces):
            if kind == "heading" and len("".join(piece.text for piece in pieces)) > 120:
                return "paragraph"  # a bold paragraph is emphasis, not a section title
            return kind  # type: ignore[return-value]
    return "paragraph"


def _meaningful_alt(alt: str, src: str) -> bool:
    """Alt text worth reading: not empty, not a file name, not a placeholder word.

    >>> _meaningful_alt("photo", "x.jpg"), _meaningful_alt("IMG_2231.jpg", ""), _meaningful_alt("布林肯抵达", "")
    (False, False, True)
    """
    lowered = alt.lower().strip()
    if len(lowered) < 2 or lowered in {"image", "photo", "picture", "img", "图片", "圖片", "照片"}:
        return False
    return not re.fullmatch(r"[\w.-]+\.(jpe?g|png|gif|webp|svg)", lowered) and lowered not in src.lower()
