"""A web page's headline and publication time, from the places news sites put them.

The title is the headline — ``og:title``, ``twitter:title``, the ``ArticleTitle`` of Chinese
government CMSs, JSON-LD ``headline``, the first ``<h1>`` that is not the site's logo (a link to
its home page), then ``<title>`` — without the site's name that pages append ("- 新华网",
"_中山网", " | The Hill") and, when the page shows the headline itself, without a column name
after it ("…调研工作 东区办事处_中山网"). The publication time is the first of: a published-time
``<meta>`` (Open Graph, ``pubdate``, ``publishdate``, Dublin Core…), JSON-LD ``datePublished``,
``<time itemprop="datePublished">``, a date and time shown after the headline (``2023-10-23 10:15
来源：…``, ``2023年10月23日 10:15``); otherwise the day htmldate finds (it also reads the address
and the visible text). A day without its time of day (``<meta name="publishdate"
content="2019-06-15">``, htmldate's) takes the time shown on the page on that day, else of a
``<time>`` on that day, else 12:00 UTC, which is the same calendar day from UTC-11 to UTC+11; a
time without a zone is taken as UTC.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import json
import re
from collections.abc import Callable, Iterator

from lxml import etree
from lxml.html import HtmlElement

from ..text import HAN

_META = {
    "title": ("og:title", "twitter:title", "articletitle"),
    "link": ("og:url",),
    "author": ("author", "article:author"),
    "site": ("og:site_name", "application-name"),
    "published": (
        "article:published_time",
        "og:published_time",
        "datepublished",
        "pubdate",
        "publishdate",
        "publish-date",
        "publish_date",
        "publication_date",
        "parsely-pub-date",
        "sailthru.date",
        "dc.date.issued",
        "dcterms.issued",
        "dc.date",
        "date",
    ),
}
"""Field → the ``<meta>`` names (``name``, ``property`` or ``itemprop``, any case) that carry it, most trusted first."""

_SEPARATOR = r"(?:\s+[|\-–—_·:]\s+|\s*[|_–—]\s*|(?<![A-Za-z0-9])-|-(?![A-Za-z0-9]))"
"""What parts a title: a spaced mark, an unspaced pipe, underscore or dash, or a hyphen that does not
join two Latin letters or digits ("COVID-19", "Spider-Man" are words; "罢工-新华网" is parted)."""
_SUFFIX = re.compile(rf"^(?P<head>.+?){_SEPARATOR}(?P<tail>[^|\-–—_]{{1,40}})$")
_PORTAL_WORD = re.compile(
    r"(?:网|網|网站|網站|报|報|新闻|新聞|日报|日報|频道|頻道|在线|在線|门户|門戶|传媒|傳媒|媒体|媒體|电视台|電視台|"
    r"online|news|times|post|daily|magazine|"
    r"\.com|\.net|\.org|\.cn)\s*$",
    re.IGNORECASE,
)
_NOON = dt.time(12, tzinfo=dt.UTC)
_DAY_ONLY = re.compile(r"^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s*$")
_HEADING_XPATH = etree.XPath("//h1|//h2|//h3|//*[contains(@class, 'itle')]")  # title, Title, post-title…
_HAN = re.compile(f"[{HAN}]")
_HOME_LINK = re.compile(r"^(?:https?://[^/]+)?(?:\.{0,2}/)*(?:index\.\w+)?$")
"""A link to the site's home page: ``/``, ``../../``, ``http://example.org/``, ``/index.html``."""
_VISIBLE_TIME = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?\s*(?:T|\s)?\s*"
    r"(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2}))?"
)


def meta_content(tree: HtmlElement, field: str) -> str:
    """The content of the most trusted ``<meta>`` carrying ``field`` (see ``_META``), or empty."""
    found: dict[str, str] = {}
    for meta in tree.iterfind(".//meta"):
        content = str(meta.get("content") or "").strip()
        for attribute in ("property", "name", "itemprop"):
            key = str(meta.get(attribute) or "").strip().lower()
            if key and content:
                found.setdefault(key, content)
    return next((found[name] for name in _META[field] if name in found), "")


def page_title(tree: HtmlElement) -> str:
    """The headline without the site's name.

    >>> from lxml.html import fromstring
    >>> page_title(fromstring("<title>布林肯抵达布鲁塞尔_中山网</title><p>x</p>"))
    '布林肯抵达布鲁塞尔'
    >>> page_title(fromstring('<meta property="og:title" content="Omar threat case - 新华网"><p>x</p>'))
    'Omar threat case'
    >>> page_title(fromstring("<title>Man pleads guilty | TheHill</title><p>x</p>"))
    'Man pleads guilty'
    >>> page_title(fromstring("<title>COVID-19 cases rise</title><p>x</p>"))
    'COVID-19 cases rise'
    >>> page_title(fromstring("<title>COVID-19 news</title><h3>COVID</h3><p>x</p>"))
    'COVID-19 news'
    """
    headline = _headline(tree)
    names = {name.lower() for name in (meta_content(tree, "site"), *_json_ld_publishers(tree)) if name}
    shown = functools.cache(lambda: {headline, *_shown_headings(tree)})  # looked for only when needed
    for candidate in (
        meta_content(tree, "title"),
        *_json_ld_values(tree, "headline"),
        headline,
        _first_text(tree, ".//title"),
    ):
        if candidate:
            return _without_site_suffix(_fold(candidate), shown, names)
    return ""


def _headline(tree: HtmlElement) -> str:
    """The first ``<h1>`` that is not the site's logo (a heading holding a link to the home page)."""
    for heading in tree.iterfind(".//h1"):
        hrefs = (str(link.get("href") or "").strip() for link in heading.iterfind(".//a[@href]"))
        if not any(href and _HOME_LINK.match(href) for href in hrefs):
            return _fold(heading.text_content())
    return ""


def _shown_headings(tree: HtmlElement) -> set[str]:
    """Texts the page shows as headings or in elements of a ``title`` class, where the headline is."""
    texts = (_fold(node.text_content()) for node in _HEADING_XPATH(tree))
    return {text for text in texts if 4 <= len(text) <= 300}


def _without_site_suffix(title: str, shown: Callable[[], set[str]], site_names: set[str]) -> str:
    """``title`` without the site's name, and the column's after a headline the page ``shown``.

    >>> _without_site_suffix("Tree felled | Local news | Metro", set, {"metro"})
    'Tree felled'
    >>> _without_site_suffix("顺德区代表团到众创金融街调研 东区办事处", lambda: {"顺德区代表团到众创金融街调研"}, set())
    '顺德区代表团到众创金融街调研'
    """
    for _ in range(2):  # "Story - Section - Site"
        match = _SUFFIX.match(title)
        if match is None:
            break
        head, tail = match["head"].strip(), match["tail"].strip()
        spaced_pipe = re.search(r"\s\|\s[^|]*$", title) is not None
        if not (tail.lower() in site_names or _PORTAL_WORD.search(tail) or spaced_pipe or head in shown()):
            break
        title = head
    return _shown_head(title, shown()) if _HAN.search(title) else title


def _shown_head(title: str, shown: set[str]) -> str:
    """The headline the page shows, when ``title`` is it, a space and a short name (a column's).

    Chinese text has no spaces between words, so a space before a few last characters marks where
    the headline ends.
    """
    for text in sorted(shown, key=len, reverse=True):
        rest = title[len(text) :]
        if title.startswith(text) and rest[:1].isspace() and len(rest) <= 16 and len(text) >= 8:
            return text
    return title


def published_at(tree: HtmlElement, link: str = "") -> dt.datetime | None:
    """When the page at ``link`` was published (see the module notes). Run before the tree is pruned.

    >>> from lxml.html import fromstring
    >>> published_at(fromstring('<meta name="publishdate" content="2023-10-23 10:15:00"><p>x</p>'))
    datetime.datetime(2023, 10, 23, 10, 15)
    >>> published_at(fromstring("<div>2023年10月23日 10:15 来源：新华网</div><p>x</p>"))
    datetime.datetime(2023, 10, 23, 10, 15)
    >>> published_at(fromstring("<p>x</p>"), "https://example.org/2023/10/23/story.html").isoformat()
    '2023-10-23T12:00:00+00:00'
    """
    stamp = next(filter(_parse, _stamps(tree)), "")
    stamped = _parse(stamp)
    if stamped is not None and not _DAY_ONLY.match(stamp):
        return stamped
    shown = _shown_datetime(tree)
    if stamped is not None:
        return _during(tree, stamped.date(), shown)
    if shown is not None:
        return shown
    import htmldate  # on first use, like trafilatura (see extract.py)

    found_day = htmldate.find_date(tree, extensive_search=True, original_date=True, url=link or None)
    try:
        day = dt.date.fromisoformat(found_day or "")
    except ValueError:
        return None
    return _during(tree, day, None)


def _stamps(tree: HtmlElement) -> Iterator[str]:
    """The machine-readable publication times a page carries, most trusted first."""
    yield meta_content(tree, "published")
    yield from _json_ld_values(tree, "datePublished")
    yield _first_attribute(tree, ".//time[@itemprop='datePublished' or @pubdate]", "datetime")


def _during(tree: HtmlElement, day: dt.date, shown: dt.datetime | None) -> dt.datetime:
    """``day`` at the time the page shows for it, else of a ``<time>`` on it, else at noon UTC."""
    if shown is not None and shown.date() == day:
        return shown
    return _time_tag_on(tree, day) or dt.datetime.combine(day, _NOON)


def _time_tag_on(tree: HtmlElement, day: dt.date) -> dt.datetime | None:
    """A time of day on ``day`` from a ``<time datetime>``."""
    for time in tree.iterfind(".//time[@datetime]"):
        parsed = _parse(str(time.get("datetime")))
        if parsed is not None and parsed.date() == day and (parsed.hour, parsed.minute) != (0, 0):
            return parsed
    return None


def _shown_datetime(tree: HtmlElement) -> dt.datetime | None:
    """The first date with a time of day shown after the headline, as portals print it under their titles."""
    body = tree.find(".//body")
    text = (body if body is not None else tree).text_content()
    headline = tree.find(".//h1")
    start = text.find(headline.text_content()) if headline is not None else -1
    for match in _VISIBLE_TIME.finditer(text, max(start, 0), max(start, 0) + 100_000):
        try:
            year, month, day, hour, minute = (int(match[part]) for part in ("y", "m", "d", "H", "M"))
            return dt.datetime(year, month, day, hour, minute, int(match["S"] or 0))
        except ValueError:
            continue
    return None


def _parse(value: str) -> dt.datetime | None:
    """An ISO 8601 or RFC 2822 date as pages carry them; anything else is ignored rather than guessed.

    >>> _parse("2023-11-27T21:07:35Z").isoformat(), _parse("2019-11-20T14:05:00.000+0800").isoformat()
    ('2023-11-27T21:07:35+00:00', '2019-11-20T14:05:00+08:00')
    >>> _parse("2023/10/23"), _parse("Wed, 20 Nov 2019 09:00:00 GMT").isoformat(), _parse("last Tuesday")
    (datetime.datetime(2023, 10, 23, 0, 0), '2019-11-20T09:00:00+00:00', None)
    """
    value = value.strip()
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(re.sub(r"^(\d{4})/(\d{1,2})/(\d{1,2})", r"\1-\2-\3", value))
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def _json_ld(tree: HtmlElement) -> Iterator[object]:
    """The page's JSON-LD documents, parsed; a broken one is skipped."""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            yield json.loads(script.text or "", strict=False)
        except ValueError:
            continue


def _json_ld_values(tree: HtmlElement, key: str) -> Iterator[str]:
    """String values of ``key`` anywhere in the page's JSON-LD, in document order."""
    for data in _json_ld(tree):
        yield from _values(data, key)


def _json_ld_publishers(tree: HtmlElement) -> Iterator[str]:
    for data in _json_ld(tree):
        for publisher in _objects(data, "publisher"):
            yield from _values(publisher, "name")


def _objects(data: object, key: str) -> Iterator[object]:
    if isinstance(data, dict):
        if key in data:
            yield data[key]
        for child in data.values():
            yield from _objects(child, key)
    elif isinstance(data, list):
        for child in data:
            yield from _objects(child, key)


def _values(data: object, key: str) -> Iterator[str]:
    if isinstance(data, dict):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            yield _fold(value)
        for child in data.values():
            yield from _values(child, key)
    elif isinstance(data, list):
        for child in data:
            yield from _values(child, key)


def _first_text(tree: HtmlElement, path: str) -> str:
    node = tree.find(path)
    return _fold(node.text_content()) if node is not None else ""


def _first_attribute(tree: HtmlElement, path: str, attribute: str) -> str:
    nodes = tree.xpath(path)
    return str(nodes[0].get(attribute) or "") if nodes else ""


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
