"""Article body HTML → ordered blocks. One reader for archive files, web pages and feed entries.

What a listener hears is decided by tables: which elements are page chrome (dropped with everything
inside them, below) and which text lines are furniture (``furniture.py``: stamps, credits, boxes,
footers). Everything else becomes headings, paragraphs, figures, quotes and list items in reading
order. Each removal is counted under its rule's name (``audiocast.tally``). Keep the README's
"How an article is read" section in sync with these tables.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bs4 import Tag
from bs4.element import Comment, Doctype, NavigableString, ProcessingInstruction

from ..models import Block, BlockKind
from ..tally import is_counting, removed
from .furniture import RELATED_HEADING, furniture_rule, is_fact_box, is_key_value, trim

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

EMBED_CLASSES = ("twitter-tweet", "instagram-media", "tiktok-embed")
"""Classes of social-media posts embedded in an article: someone else's words, not the article's."""

CHROME_CLASS = re.compile(
    r"sr-only|visually-hidden|screen-reader-text|is-hidden|hidden|"
    r"(?:[a-z0-9]+[-_]){0,2}"
    r"(?:share|sharing|social|comments?|related|tags|tag-?list|tag-?cloud|copyright|newsletter|subscribe|"
    r"advert\w*|ads?|promo|sponsor(?:ed)?|breadcrumbs?|" + "|".join(EMBED_CLASSES) + "|"
    r"video-?player|player|more-?feeds|rss|toolbar)"
    r"(?:[-_](?:bar|box|links?|list|buttons?|tools|widget|block|section|area|container|wrapper|module|"
    r"items?|articles?|stories|posts|content|embed))?",
    re.IGNORECASE,
)
"""One class or id token of page chrome — share bars, related lists, tweets, tag lists, ads — matched
whole, so WordPress's ``tag-politics`` or Bootstrap's ``hidden-xs`` on an article are not chrome. The
hiding helpers count only as whole tokens: Drupal's ``field-label-hidden`` sits on the article body."""

_NOT_PROSE = frozenset({"script", "style", "noscript", "template", "head", "meta", "link", "svg", "canvas"})
"""Chrome that holds code or metadata, not text anyone would read: not counted as removed text."""

_NEVER_CHROME = frozenset({"html", "body", "main", "article", "small", "figcaption", "img"})

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
    title: str


_Event = _Text | _Break | _Boundary | _Image

_CAPTION_MARK = "data-audiocast-caption"
"""Set on a short element found to be an image's caption (see ``_mark_captions``)."""
_CAPTION_MAX = 200
_CAPTION_WRAPPER_MAX = 4
_CAPTION_WRAPPER_TAGS = frozenset({"div", "p", "figure", "section", "span", "center", "td", "a"})
_CAPTION_TAGS = frozenset({"p", "span", "div", "em", "i", "center"})
_POST_TAGS = frozenset({"blockquote"})
_SOCIAL_POST = re.compile(r"twitter-tweet|twitter-post|bluesky-embed|mastodon-embed|threads-post", re.I)
"""Quoted social-media posts: read as quotes when they are the article, else dropped as chrome."""


MAX_DEPTH = 400
"""Markup nested deeper than this is not read: no article nests so deep, and reading it would
take time quadratic in the depth (nested lists: 2,000 deep took 5 s) and then Python's recursion limit."""


class MarkupTooDeep(Exception):
    """Markup nested deeper than ``MAX_DEPTH``; the reader names the input and refuses it."""


def _check_depth(root: Tag) -> None:
    """Raise ``MarkupTooDeep`` when elements under ``root`` nest deeper than ``MAX_DEPTH`` (one pass)."""
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise MarkupTooDeep(f"markup nested more than {MAX_DEPTH} elements deep; not an article")
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tag))


def read_blocks(root: Tag) -> Iterator[Block]:
    """The blocks under a parsed element, in order, without page chrome (the element is changed in place).

    >>> from bs4 import BeautifulSoup
    >>> soup = BeautifulSoup("<p>One.<br/><br/><strong>Part two</strong><br/><br/>Two.</p>", "lxml")
    >>> [block.kind for block in read_blocks(soup)]
    ['paragraph', 'heading', 'paragraph']
    """
    _check_depth(root)
    drop_chrome(root)
    _mark_captions(root)
    builder = _BlockBuilder()
    for event in _walk(root, frozenset()):
        builder.feed(event)
    yield from builder.finish()


def drop_chrome(root: Tag) -> None:
    """Remove page chrome from ``root`` in place; quoted posts that carry the article become plain quotes."""
    _unwrap_social_posts(root)
    pending = [root]
    while pending:  # top down, so nothing inside removed chrome is looked at again; no recursion limit
        node = pending.pop()
        for child in list(node.children):
            if not isinstance(child, Tag):
                continue
            rule = _chrome_rule(child)
            if rule is None:
                pending.append(child)
                continue
            if is_counting() and child.name not in _NOT_PROSE:
                removed(rule, child.get_text(" "))
            child.decompose()
    for listing in root.find_all(["ul", "ol"]):
        if _is_link_list(listing):  # a list inside one removed before is empty by then
            if is_counting():
                removed("link list", listing.get_text(" "))
            listing.decompose()


def _chrome_rule(node: Tag) -> str | None:
    if node.name in CHROME_TAGS:
        return "chrome element"
    if is_hidden(node.attrs):
        return "hidden element"
    if node.name not in _NEVER_CHROME and any(CHROME_CLASS.fullmatch(token) for token in _tokens(node)):
        return "chrome class"
    return "tracker image" if node.name == "img" and _is_tracker(node) else None


def _unwrap_social_posts(root: Tag) -> None:
    """Quoted posts that are most of the text (a roundup of tweets) keep their words as quotes.

    Only the post's own paragraphs stay; its signature line ("— Name (@handle) date"), picture
    links and buttons go. A post or two quoted beside a story are decoration and stay chrome.
    """
    posts = [node for node in root.find_all(_POST_TAGS) if any(_SOCIAL_POST.fullmatch(t) for t in _tokens(node))]
    if not posts:
        return
    said = [paragraph for post in posts for paragraph in post.find_all("p")]
    posts_text = sum(len(_SPACE.sub("", paragraph.get_text())) for paragraph in said)
    all_text = sum(len(_SPACE.sub("", paragraph.get_text())) for paragraph in root.find_all("p"))
    if not posts_text or posts_text * 2 < all_text:
        return
    for post in posts:
        for paragraph in post.find_all("p"):
            for picture in paragraph.find_all("a", string=re.compile(r"^\s*pic\.twitter\.com/")):
                picture.decompose()
        post.attrs = {}  # no longer chrome by its class: a plain quote
        for child in list(post.children):
            if not (isinstance(child, Tag) and child.name == "p"):
                removed("social chrome", child.get_text(" ") if isinstance(child, Tag) else str(child))
                child.extract()


def _mark_captions(root: Tag) -> None:
    """Mark a short element right after an image, alone with it in a small wrapper, as its caption.

    The wrapper's whole text must be the candidate's, so the article's first paragraph after a lead
    image at container level (whose wrapper holds the whole article) is never taken for a caption.
    """
    for image in root.find_all("img"):
        unit: Tag = image
        while unit.parent is not None and unit.parent.name == "a" and not unit.parent.get_text(strip=True):
            unit = unit.parent
        wrapper = unit.parent
        if wrapper is None or wrapper.name not in _CAPTION_WRAPPER_TAGS or _crowded(wrapper):
            continue
        candidate = _next_element(unit)
        if candidate is None or candidate.name not in _CAPTION_TAGS or candidate.find("img"):
            continue
        text = _SPACE.sub("", candidate.get_text())
        if 0 < len(text) <= _CAPTION_MAX and _SPACE.sub("", wrapper.get_text()) == text:
            candidate[_CAPTION_MARK] = "1"


def _crowded(wrapper: Tag) -> bool:
    """More elements than an image, its caption and a few empty ones: an article, not a picture's frame."""
    return sum(1 for child in wrapper.children if isinstance(child, Tag) and child.name != "br") > _CAPTION_WRAPPER_MAX


def _next_element(node: Tag) -> Tag | None:
    """The next sibling element, skipping white space and line breaks; None if text comes first."""
    for sibling in node.next_siblings:
        if isinstance(sibling, Tag):
            if sibling.name != "br":
                return sibling
        elif str(sibling).strip():
            return None
    return None


def is_hidden(attributes: Mapping[str, Any]) -> bool:
    """Whether an element's own attributes hide it from a reader of the page."""
    if "hidden" in attributes or attributes.get("aria-hidden") == "true":
        return True
    style = str(attributes.get("style", "")).replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


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


def _walk(node: Tag, marks: frozenset[str]) -> Iterator[_Event]:
    for child in node.children:
        if isinstance(child, Comment | Doctype | ProcessingInstruction):
            continue
        if isinstance(child, NavigableString):
            yield _Text(str(child), marks)
            continue
        if not isinstance(child, Tag):
            continue
        if child.name == "br":
            yield _Break()
        elif child.name == "img":
            yield _Image(str(child.get("src", "")), _attribute_text(child, "alt"), _attribute_text(child, "title"))
        else:
            inner = marks | {_MARKS[child.name]} if child.name in _MARKS else marks
            if child.has_attr(_CAPTION_MARK):
                inner |= {"caption"}
            is_block = child.name in _BLOCK_TAGS
            if is_block:
                yield _Boundary()
            yield from _walk(child, inner)
            if is_block:
                yield _Boundary()


def _attribute_text(node: Tag, attribute: str) -> str:
    return _SPACE.sub(" ", str(node.get(attribute, ""))).strip()


@dataclass
class _Figure:
    src: str
    alt: str
    title: str
    caption: list[str] = field(default_factory=list)


class _BlockBuilder:
    """Gathers walker events into blocks: paragraphs end at blocks and at double ``<br>``."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.from_alt: set[int] = set()
        """Indexes of figures whose text is the image's alt text, not a caption."""
        self.pieces: list[_Text] = []
        self.breaks = 0
        self.figure: _Figure | None = None
        self.in_related = False

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
            self.figure = _Figure(event.src, event.alt, event.title)

    def finish(self) -> list[Block]:
        self._end_paragraph()
        self._end_figure()
        return _drop_key_value_runs(_drop_repeated_alts(self.blocks, self.from_alt))

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
        raw = "".join(piece.text for piece in pieces)
        text = _plain(raw)
        if not text:
            return
        spoken = [piece for piece in pieces if piece.text.strip()]
        linked = sum(len(_SPACE.sub("", piece.text)) for piece in spoken if "link" in piece.marks)
        rule = _paragraph_rule(text, raw, linked / len(_SPACE.sub("", text)), self.in_related)
        self.in_related = rule == "related reading"
        if rule:
            removed(rule, text)
            return
        text = trim(text)
        if text:
            self.blocks.append(Block(_kind_of(spoken), text))

    def _end_figure(self) -> None:
        figure, self.figure = self.figure, None
        if figure is None:
            return
        caption = _plain("".join(figure.caption))
        title = figure.title if meaningful_alt(figure.title, figure.src) else ""
        alt = figure.alt if meaningful_alt(figure.alt, figure.src) else ""
        if not (caption or title) and figure.alt and not alt:
            removed("file-name alt", figure.alt)
        text = caption or title or alt
        rule = furniture_rule(text, []) if text else None
        if rule:
            removed(rule, text)
        elif text:
            if not (caption or title):
                self.from_alt.add(len(self.blocks))
            self.blocks.append(Block("figure", text, src=figure.src))


def _paragraph_rule(text: str, raw: str, link_share: float, in_related: bool) -> str | None:
    """Why a paragraph is not read (a rule name), or None.

    After a related-reading heading, the link lines that follow are part of the list.
    """
    if RELATED_HEADING.match(text) and (link_share >= 0.5 or len(text) <= 40):
        return "related reading"
    if in_related and link_share >= 0.5:
        return "related reading"
    if link_share >= 0.999:
        return "link line"  # a paragraph of nothing but links: related-article or "read more" lines
    return furniture_rule(text, raw.split("\n"))


NEARBY_BLOCKS = 2
"""How many blocks either side of a figure its text may be repeated and still be the same sentence."""


def nearby(blocks: Sequence[Block], index: int) -> Sequence[Block]:
    """The blocks within ``NEARBY_BLOCKS`` of ``blocks[index]``, itself included."""
    return blocks[max(0, index - NEARBY_BLOCKS) : index + NEARBY_BLOCKS + 1]


def _drop_repeated_alts(blocks: list[Block], from_alt: set[int]) -> list[Block]:
    """Alt text that repeats a paragraph next to it is not a caption: the paragraph says it."""
    kept: list[Block] = []
    for index, block in enumerate(blocks):
        repeated = (other.kind != "figure" and same_words(other.text, block.text) for other in nearby(blocks, index))
        if index in from_alt and any(repeated):
            removed("alt repeats text", block.text)
            continue
        kept.append(block)
    return kept


def _drop_key_value_runs(blocks: list[Block]) -> list[Block]:
    """Short ``Key: value`` blocks in a row that make a fact box (a company card) are not article."""
    kept: list[Block] = []
    index = 0
    while index < len(blocks):
        end = index
        while end < len(blocks) and blocks[end].kind != "figure" and is_key_value(blocks[end].text):
            end += 1
        run = blocks[index : max(end, index + 1)]
        if is_fact_box([block.text for block in run]):
            for block in run:
                removed("key-value box", block.text)
        else:
            kept.extend(run)
        index += len(run)
    return kept


def same_words(first: str, second: str) -> bool:
    """Whether two texts say the same words, ignoring punctuation, space and case.

    >>> same_words("Harbor reopens — after the storm!", "harbor reopens after the storm"), same_words("a", "ab")
    (True, False)
    """
    return bool(_words(first)) and _words(first) == _words(second)


def words_within(parts: Iterable[str], whole: str) -> bool:
    """Whether ``whole`` says each of ``parts``, its words in order, ignoring punctuation, space and case.

    >>> words_within(["Drivers welcomed it.", "BRIDGE"], "Bridge reopens. Drivers welcomed it!")
    True
    >>> words_within(["b a"], "a b"), words_within([""], "a b")
    (False, False)
    """
    said = _words(whole)
    return all((words := _words(part)) and words in said for part in parts)


def _words(text: str) -> str:
    return "".join(char for char in text.casefold() if char.isalnum())


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


_PLACEHOLDER_ALTS = frozenset({"image", "photo", "picture", "img", "图片", "圖片", "照片", "untitled", "null", "none"})
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?|heic|avif)$", re.IGNORECASE)
_FILE_NAME = re.compile(
    r"(?:img|dsc[nf]?|pic|picture|image|photo|screen(?:shot)?|screen shot|capture|scan|untitled|mmexport|wx|p)"
    r"[\s_-]*\d[\w .()-]*"
    r"|[\w-]*\d[\w-]*(?:\s*\(\d+\))?"
    r"|[0-9a-f-]{16,}",
    re.IGNORECASE,
)
"""Alt texts that are file names or camera names: IMG_2231, DSC0001, screen_500 (1), Picture 9, hashes."""


def meaningful_alt(alt: str, src: str) -> bool:
    """Alt text worth reading: not empty, not a file name, not a placeholder word.

    >>> meaningful_alt("photo", "x.jpg"), meaningful_alt("IMG_2231.jpg", ""), meaningful_alt("布林肯抵达", "")
    (False, False, True)
    >>> [meaningful_alt(alt, "") for alt in ("screen_500 (1)", "Picture 9", "DSC0001", "9f86d081884c7d65")]
    [False, False, False, False]
    """
    lowered = alt.lower().strip()
    if len(lowered) < 2 or lowered in _PLACEHOLDER_ALTS:
        return False
    if _IMAGE_FILE.search(lowered) or (lowered.isascii() and _FILE_NAME.fullmatch(lowered)):
        return False
    return lowered not in src.lower()
