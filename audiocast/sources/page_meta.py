"""A web page's headline, the site's own name and the publication time, from the places news sites put them.

The title is the headline — ``og:title``, ``twitter:title``, the ``ArticleTitle`` of Chinese
government CMSs, JSON-LD ``headline``, the first ``<h1>`` that is not the site's logo (a link to
its home page), then ``<title>`` — without the site's name that pages append in any script ("- 新华网",
"_中山网", " | The Hill", " – Le Monde", "：NHKニュース"; see ``_SiteEvidence`` for how a part is
told to be the name) and, when the page shows the headline itself, without a column name after it
("…调研工作 东区办事处_中山网"). The site's name is what the page calls itself (``og:site_name``,
JSON-LD, ``application-name``), else that removed part. The publication time is the first of: a published-time
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
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from ..text import HAN_CHARACTER
from .sites import pronounceable, registrable_label

_META = {
    "title": ("og:title", "twitter:title", "articletitle"),
    "link": ("og:url",),
    "author": ("author", "article:author"),
    "site": ("og:site_name",),
    "application": ("application-name", "sitename"),
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

_SEPARATOR = (
    r"(?:\s+[|\-–—_·:»•]\s+|\s*[|_–—｜丨]\s*|(?<![A-Za-z0-9])-|-(?![A-Za-z0-9])|\s*：\s*)"
)
"""What parts a title: a spaced mark, an unspaced pipe, underscore, dash or full-width colon, or a
hyphen that does not join two Latin letters or digits ("COVID-19", "Spider-Man" are words; "罢工-新华网"
is parted)."""
_PART = r"(?:[^|\-–—_｜丨：]|(?<=[A-Za-z0-9])-(?=[A-Za-z0-9]))"
"""A character of a title's part: no separator, but a hyphen inside a word ("The Anti-June Cleaver")."""
_SUFFIX = re.compile(rf"^(?P<head>.+?)(?P<mark>{_SEPARATOR})(?P<tail>{_PART}{{1,40}})$")
_NAME_MARK = re.compile(r"^(?:\s+[|\-–—·»•]\s+|\s*[|_｜丨]\s*)$")
"""The marks after which a short, name-like last part is taken for the site's name: spaced dashes, bars
and dots, and any pipe or underscore. Not a colon, nor an unspaced dash: headlines use those."""
_PORTAL_WORD = re.compile(
    r"(?:网|網|网站|網站|报|報|新闻|新聞|日报|日報|频道|頻道|在线|在線|门户|門戶|传媒|傳媒|媒体|媒體|电视台|電視台|"
    r"online|news|times|post|daily|magazine|"
    r"ニュース|뉴스|новости|nachrichten|noticias|notícias|nouvelles|nieuws|notizie|haberler|"
    r"tin tức|أخبار|חדשות|wiadomości|zprávy|ειδήσεις|समाचार|ข่าว|berita|habari|"
    r"(?<!\w)(?:вести|نت)|"  # whole words only: "провести" (to hold), "كانت" (was) end alike
    r"\.com|\.net|\.org|\.cn)\s*$",
    re.IGNORECASE,
)
"""Words a site's name ends with: "site", "paper", "news" in the languages sites are named in, a domain."""
_NAME_WORDS = 4
_NAME_CHARACTERS = 32
_SENTENCE_MARK = re.compile(r"[,!?;:…\"“”«»？！，。、；：]|\.(?:\s|$)")
_NOON = dt.time(12, tzinfo=dt.UTC)
_DAY_ONLY = re.compile(r"^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s*$")
_HEADING_XPATH = etree.XPath("//h1|//h2|//h3|//*[contains(@class, 'itle')]")  # title, Title, post-title…
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


@dataclass(frozen=True)
class Heading:
    """A page's headline and the name the site gives itself (``""`` when it gives none)."""

    title: str
    site: str


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
    return page_heading(tree).title


def page_heading(tree: HtmlElement, link: str = "") -> Heading:
    """The headline without the site's name, and that name, for the page at ``link``.

    The site's name is the first of ``og:site_name``, JSON-LD ``publisher`` and ``isPartOf`` names,
    ``application-name`` and a CMS's ``SiteName``, and the part of the title found to be the site's
    name (see ``_SiteEvidence``).

    >>> from lxml.html import fromstring
    >>> page_heading(fromstring("<title>Neue Regierung vereidigt - DER SPIEGEL</title><p>x</p>"), "https://www.spiegel.de/a")
    Heading(title='Neue Regierung vereidigt', site='DER SPIEGEL')
    >>> page_heading(fromstring('<meta property="og:title" content="Budget passes">'
    ...                         '<title>Budget passes | Town Crier</title>'))
    Heading(title='Budget passes', site='Town Crier')
    """
    headline = _headline(tree)
    found = (meta_content(tree, "site"), *_page_names(tree), meta_content(tree, "application"))
    named = [_fold(name) for name in found if name.strip()]
    evidence = _SiteEvidence(tree, headline, {name.casefold() for name in named}, link)
    title, tail = "", ""
    for candidate in (
        meta_content(tree, "title"),
        *_json_ld_values(tree, "headline"),
        headline,
        _first_text(tree, ".//title"),
    ):
        if candidate:
            title, tail = _without_site_suffix(_fold(candidate), evidence)
            break
    site = next((name for name in named if len(name) <= _NAME_CHARACTERS + 8), "")
    site = site or tail or _title_element_tail(_first_text(tree, ".//title"), title)
    return Heading(title, _spoken_site(site))


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


def _spoken_site(name: str) -> str:
    """A site's name as a listener should hear it: without a slogan after it, and a name given as an
    address or a handle in lower case said as a word (letters, when it is no word); a brand spelled
    with capitals ("Space.com") and a plain name ("rbb24") are kept as written.

    >>> _spoken_site("lemonde.fr"), _spoken_site("https://www.hawaiinewsnow.com/"), _spoken_site("@politifact")
    ('Lemonde', 'Hawaiinewsnow', 'Politifact')
    >>> _spoken_site("nj.com"), _spoken_site("rbb24"), _spoken_site("Space.com"), _spoken_site("当代商报")
    ('NJ', 'rbb24', 'Space.com', '当代商报')
    >>> _spoken_site("Remember 80/90 - Memorabilia anni 80/90")
    'Remember 80/90'
    """
    spoken = _SLOGAN.sub("", name).strip()
    bare = _ADDRESS_PARTS.sub("", spoken)
    if bare == spoken or not spoken.islower() or not bare:
        return spoken
    word = bare.rsplit(".", 1)[-1]
    return word.capitalize() if pronounceable(word) else word.upper()


_SLOGAN = re.compile(r"\s+[|\-–—·»:]\s+.*$")
_ADDRESS_PARTS = re.compile(r"^(?:https?://)?(?:www\d*\.)?@?|(?:\.[a-z]{2,6}){1,2}/*$")
"""What makes a name an address or a handle: a scheme, ``www.``, an ``@``, a domain ending."""


def _page_names(tree: HtmlElement) -> Iterator[str]:
    """The names of the site in the page's JSON-LD: its publisher's, then the website's it is part of."""
    for data in _json_ld(tree):
        for key in ("publisher", "isPartOf"):
            for found in _objects(data, key):
                yield from _values(found, "name")


def _title_element_tail(element: str, title: str) -> str:
    """What ``<title>`` adds after a separator to the headline taken from elsewhere: its last part is
    the site's name.

    >>> _title_element_tail("Budget passes – Le Monde", "Budget passes"), _title_element_tail("Budget passes", "Budget")
    ('Le Monde', '')
    >>> _title_element_tail("女儿出嫁--文化--人民网", "女儿出嫁")
    '人民网'
    """
    rest = element.removeprefix(title) if title else ""
    if not re.match(_SEPARATOR, rest):
        return ""
    last = re.split(_SEPARATOR, rest)[-1].strip()
    return last if 0 < len(last) <= _NAME_CHARACTERS + 8 and _SENTENCE_MARK.search(last) is None else ""


class _SiteEvidence:
    """What tells that the last part of a title is the site's name rather than the headline's."""

    def __init__(self, tree: HtmlElement, headline: str, names: set[str], link: str) -> None:
        self.tree = tree
        self.headline = headline
        self.names = names
        self.label = registrable_label(link)

    @functools.cached_property
    def shown(self) -> set[str]:
        """The headline and texts the page shows as headings (looked for only when needed)."""
        return {self.headline, *_shown_headings(self.tree)}

    @functools.cached_property
    def shown_names(self) -> str:
        """The texts of links to the home page (a logo and its ``alt``) and the copyright lines, case-folded."""
        return _shown_names(self.tree).casefold()

    def names_site(self, head: str, mark: str, tail: str) -> bool:
        """Whether ``tail``, after ``head`` and ``mark`` in a title, is the site's (or a section's) name."""
        folded = tail.casefold()
        return (
            folded in self.names
            or _matches_label(tail, self.label)
            or _PORTAL_WORD.search(tail) is not None
            or (len(folded) >= 2 and folded in self.shown_names)
            or head in self.shown
            or (_NAME_MARK.match(mark) is not None and _name_like(tail, head))
        )


def _without_site_suffix(title: str, evidence: _SiteEvidence) -> tuple[str, str]:
    """``title`` without the site's name (and the column's after a headline the page shows), and that name.

    >>> from lxml.html import fromstring
    >>> def parted(title, names=(), shown=""):
    ...     return _without_site_suffix(title, _SiteEvidence(fromstring(f"<h1>{shown}</h1>"), shown, set(names), ""))
    >>> parted("Tree felled | Local news | Metro", {"metro"})
    ('Tree felled', 'Metro')
    >>> parted("顺德区代表团到众创金融街调研 东区办事处", shown="顺德区代表团到众创金融街调研")
    ('顺德区代表团到众创金融街调研', '')
    >>> parted("Путин провел совещание с членами Совбеза - РИА Новости")
    ('Путин провел совещание с членами Совбеза', 'РИА Новости')
    >>> parted("Why the Fed held rates - and what comes next")
    ('Why the Fed held rates - and what comes next', '')
    """
    site = ""
    for _ in range(2):  # "Story - Section - Site"
        match = _SUFFIX.match(title)
        if match is None:
            break
        head, tail = match["head"].strip(), match["tail"].strip()
        spaced_pipe = re.search(r"\s\|\s[^|]*$", title) is not None
        if not (spaced_pipe or evidence.names_site(head, match["mark"], tail)):
            break
        title, site = head, site or tail
    return (_shown_head(title, evidence.shown) if HAN_CHARACTER.search(title) else title), site


def _name_like(tail: str, head: str) -> bool:
    """Whether ``tail`` reads as a name beside the headline ``head``: a few words, no sentence marks, each
    capitalised (or in a script without capitals, or a short particle: "de", "la"), and at most half as long.

    >>> _name_like("Le Monde", "Le gouvernement annonce un plan"), _name_like("and what comes next", "Why rates held")
    (True, False)
    >>> _name_like("Trump Wins", "Biden Loses"), _name_like("الجزيرة نت", "مقتل ثلاثة في غارة على غزة")
    (False, True)
    """
    words = tail.split()
    return (
        0 < len(words) <= _NAME_WORDS
        and len(tail) <= _NAME_CHARACTERS
        and len(head) >= 2 * len(tail)
        and any(char.isalpha() for char in tail)
        and _SENTENCE_MARK.search(tail) is None
        and not words[0][:1].islower()
        and all(not word[:1].islower() or len(word) <= 3 for word in words)
    )


def _matches_label(tail: str, label: str) -> bool:
    """Whether ``tail``, a name's few words, spells the site's domain label: whole ("Le Monde", lemonde),
    within ("DER SPIEGEL", spiegel; "NHKニュース", nhk) or as initials ("Sydney Morning Herald", smh).

    >>> _matches_label("Le Monde", "lemonde"), _matches_label("NHKニュース", "nhk")
    (True, True)
    >>> _matches_label("Sydney Morning Herald", "smh"), _matches_label("Yonhap News Agency", "yna")
    (True, True)
    >>> _matches_label("Live updates", "lemonde"), _matches_label("Trump", "")
    (False, False)
    >>> _matches_label("comwrap auf der DMEXCO 2018", "comwrap")
    False
    """
    if len(label) < 2 or len(tail.split()) > _NAME_WORDS:  # "comwrap auf der DMEXCO 2018" is a headline
        return False
    letters = _latin_letters(tail)
    initials = "".join(_latin_letters(word)[:1] for word in tail.split())
    return label == initials or (label in letters if len(label) >= 3 else label == letters)


def _latin_letters(text: str) -> str:
    """The text's Latin letters and digits, case-folded and without accents: "Télérama" → "telerama"."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in plain if char.isascii() and char.isalnum())


def _shown_names(tree: HtmlElement) -> str:
    """Where a page shows its own name, one per line: links to its home page (their text, ``title`` and
    images' ``alt``) and the words around a copyright mark. Only short texts: a name is short, and a
    long one (a header wrapped in one link, a page without line breaks) would hold headline words too.

    >>> from lxml.html import fromstring
    >>> print(_shown_names(fromstring('<a href="/"><img alt="taz"></a><p>Text.</p><p>© 2024 taz Verlag</p>')))
    taz
    Text.© 2024 taz Verlag
    """
    found: list[str] = []
    for link in tree.iterfind(".//a[@href]"):
        href = str(link.get("href") or "").strip()
        if href and _HOME_LINK.match(href):
            found += [link.text_content(), str(link.get("title") or ""), str(link.get("aria-label") or "")]
            found += [str(image.get("alt") or "") for image in link.iterfind(".//img")]
    body = tree.find(".//body")
    text = (body if body is not None else tree).text_content()
    found += [text[max(mark.start() - _NAME_REACH, 0) : mark.end() + _NAME_REACH] for mark in _COPYRIGHT.finditer(text)]
    return "\n".join(part for part in map(_fold, found) if 0 < len(part) <= 2 * _NAME_REACH)


_COPYRIGHT = re.compile(r"©|\(c\)|copyright|版权|版權|著作権|저작권", re.IGNORECASE)
_NAME_REACH = 40
"""Characters either side of a copyright mark where the site's name is looked for."""


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
