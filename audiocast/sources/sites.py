"""Spoken names of news sources, from the site an article link points at.

A table, not code: add a row for a new site. Keys are registrable domains; values give the name
in Simplified Chinese, Traditional Chinese and English. Keep the README's list of known sites in sync.
A site not in the table is named by the name its page gives itself (see ``page.page_publisher``),
else by its domain word, when that reads as a name (``domain_word``), else not at all.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import tld

from ..locales import written_in_latin

SOURCES: dict[str, tuple[str, str, str]] = {
    "voachinese.com": ("美国之音", "美國之音", "VOA"),
    "voacantonese.com": ("美国之音", "美國之音", "VOA"),
    "voanews.com": ("美国之音", "美國之音", "VOA"),
    "rfa.org": ("自由亚洲电台", "自由亞洲電台", "Radio Free Asia"),
    "bbc.com": ("BBC", "BBC", "BBC"),
    "bbc.co.uk": ("BBC", "BBC", "BBC"),
    "dw.com": ("德国之声", "德國之聲", "DW"),
    "rfi.fr": ("法国国际广播电台", "法國國際廣播電台", "RFI"),
    "nytimes.com": ("纽约时报", "紐約時報", "The New York Times"),
    "cn.nytimes.com": ("纽约时报中文网", "紐約時報中文網", "The New York Times"),
    "reuters.com": ("路透社", "路透社", "Reuters"),
    "apnews.com": ("美联社", "美聯社", "The Associated Press"),
    "theguardian.com": ("卫报", "衛報", "The Guardian"),
    "theinitium.com": ("端传媒", "端傳媒", "Initium Media"),
    "cna.com.tw": ("中央社", "中央社", "Central News Agency"),
    "zaobao.com": ("联合早报", "聯合早報", "Lianhe Zaobao"),
    "zaobao.com.sg": ("联合早报", "聯合早報", "Lianhe Zaobao"),
    "wsj.com": ("华尔街日报", "華爾街日報", "The Wall Street Journal"),
    "ft.com": ("金融时报", "金融時報", "Financial Times"),
    "ftchinese.com": ("FT中文网", "FT中文網", "Financial Times"),
    "udn.com": ("联合新闻网", "聯合新聞網", "United Daily News"),
    "ltn.com.tw": ("自由时报", "自由時報", "Liberty Times"),
    "mingpao.com": ("明报", "明報", "Ming Pao"),
    "rthk.hk": ("香港电台", "香港電台", "RTHK"),
    "xinhuanet.com": ("新华社", "新華社", "Xinhua"),
    "chinadaily.com.cn": ("中国日报", "中國日報", "China Daily"),
    "abc.net.au": ("澳大利亚广播公司", "澳洲廣播公司", "ABC"),
    "techcrunch.com": ("TechCrunch", "TechCrunch", "TechCrunch"),
    "theverge.com": ("The Verge", "The Verge", "The Verge"),
    "arstechnica.com": ("Ars Technica", "Ars Technica", "Ars Technica"),
}

OTHER_NAMES: dict[str, tuple[str, ...]] = {
    "voanews.com": ("Voice of America", "美国之音中文网", "美國之音中文網"),
    "rfa.org": ("RFA", "自由亚洲", "自由亞洲"),
    "bbc.com": ("BBC News", "BBC中文", "BBC中文网", "BBC中文網"),
    "dw.com": ("Deutsche Welle", "德国之声中文网", "德國之聲中文網"),
    "rfi.fr": ("Radio France Internationale", "法广", "法廣"),
    "apnews.com": ("AP", "Associated Press"),
    "reuters.com": ("路透", "Thomson Reuters"),
    "nytimes.com": ("New York Times", "NYT"),
    "theguardian.com": ("Guardian",),
}
"""More ways feeds name a publisher (in an author, ``<source>``, category or feed title); each maps to
the row of ``SOURCES`` whose names are spoken."""

FEED_PROXIES: tuple[str, ...] = ("feedproxy.google.com", "feeds.feedburner.com", "feedburner.com")
"""Hosts that relay one publisher's own feed: there the feed's title names the publisher."""

STAND_IN_HOSTS: tuple[str, ...] = (
    *FEED_PROXIES, "news.google.com", "rsshub.app",
    "rss.app", "feedly.com", "inoreader.com", "t.co", "bit.ly", "ow.ly", "dlvr.it", "ift.tt", "buff.ly",
    "github.io", "gitlab.io", "netlify.app", "vercel.app", "pages.dev", "web.archive.org", "archive.ph",
    "archive.today", "images.weserv.nl",
)
"""Hosts that serve, mirror, proxy or shorten other sites' articles: a link there does not name the
publisher (a ``*.github.io`` archive, ``feedproxy.google.com``). A suffix matches its subdomains."""


def host_of(link: str) -> str:
    """The lower-case host of a link without ``www.``, or ``""``.

    >>> host_of("https://WWW.DW.com/zh/x"), host_of("not a link"), host_of("http://[bad")
    ('dw.com', '', '')
    """
    try:
        return (urlsplit(link).hostname or "").lower().removeprefix("www.")
    except ValueError:
        return ""


def is_stand_in(host: str, hosts: tuple[str, ...] = STAND_IN_HOSTS) -> bool:
    """Whether ``host`` only relays other sites' articles (or is one of ``hosts``).

    >>> is_stand_in("feedproxy.google.com"), is_stand_in("someone.github.io"), is_stand_in("dw.com")
    (True, True, False)
    >>> is_stand_in("feeds.feedburner.com", FEED_PROXIES), is_stand_in("someone.github.io", FEED_PROXIES)
    (True, False)
    """
    return _matching(host, hosts) is not None


def is_known_site(host: str) -> bool:
    """Whether ``host`` belongs to a publisher of the table.

    >>> is_known_site("amp.theguardian.com"), is_known_site("example.org")
    (True, False)
    """
    return _matching(host, tuple(SOURCES)) is not None


def source_name(link: str, language: str) -> str:
    """The spoken name of the site ``link`` points at, in ``language``: its row of the table, else its
    domain word (see ``domain_word``), else ``""``.

    >>> source_name("https://www.voachinese.com/a/x.html", "zh-CN")
    '美国之音'
    >>> source_name("https://news.example.co.uk/story", "en-US")
    'Example'
    >>> source_name("https://cn.nytimes.com/world/x/", "zh-TW"), source_name("", "en-US")
    ('紐約時報中文網', '')
    """
    return known_source_name(link, language) or domain_word(link, language)


def known_source_name(link: str, language: str) -> str:
    """The name in ``language`` of the table's publisher whose site ``link`` points at, else ``""``.

    >>> known_source_name("https://amp.theguardian.com/x", "en"), known_source_name("https://example.org/", "en")
    ('The Guardian', '')
    """
    domain = _matching(host_of(link), tuple(SOURCES))
    return _pick(SOURCES[domain], language) if domain else ""


def domain_word(link: str, language: str) -> str:
    """The registrable name of ``link``'s site as a word for an article in ``language``, or ``""``.

    The last resort for naming a publisher, so it is spoken only when a listener can take it for a
    name: the label the site registered under its public suffix (``www3.nhk.or.jp`` → ``nhk``, never
    ``www3``; ``www.gov.cn`` has none), in an article written in Latin letters (a Chinese voice
    reading ``Cjddsb`` says nothing to a listener), and pronounceable as a word (``yna``, ``smh``
    are not). A relay (see ``STAND_IN_HOSTS``), an IP address or ``localhost`` has no word.

    >>> domain_word("https://www.lemonde.fr/a.html", "fr-FR"), domain_word("https://www.tagesspiegel.de/", "de-DE")
    ('Lemonde', 'Tagesspiegel')
    >>> domain_word("https://www3.nhk.or.jp/news/", "en-US"), domain_word("https://www.gov.cn/x", "en-US")
    ('', '')
    >>> domain_word("https://www.yna.co.kr/view/1", "en-US"), domain_word("http://www.cjddsb.com/1.html", "zh-CN")
    ('', '')
    >>> domain_word("http://127.0.0.1:8000/a.html", "en-US"), domain_word("https://someone.github.io/a", "en-US")
    ('', '')
    """
    host = host_of(link)
    if not host or is_stand_in(host) or not written_in_latin(language):
        return ""
    label = registrable_label(link)
    return label.capitalize() if pronounceable(label) else ""


def registrable_label(link: str) -> str:
    """The name ``link``'s site registered under its public suffix (the Public Suffix List), or ``""``.

    >>> registrable_label("https://www3.nhk.or.jp/news/"), registrable_label("https://gov.cn/x")
    ('nhk', '')
    >>> registrable_label("http://127.0.0.1:8000/a.html"), registrable_label("")
    ('', '')
    """
    # Asked of "www." + the host: tld takes a bare public suffix ("gov.cn") for a registered name,
    # but names "www" as the label of "www.gov.cn", and a site has nothing registered there.
    found = tld.get_tld("www." + host_of(link), fix_protocol=True, as_object=True, fail_silently=True)
    label = found.domain if isinstance(found, tld.Result) else ""
    return "" if label == "www" else label


_GENERIC_LABEL = re.compile(r"^(?:www\d*|m|mobile|amp|news|web|home)$")
_VOWEL = re.compile(r"[aeiouy]")
_CONSONANT_RUN = re.compile(r"[b-df-hj-np-tv-xz]{4}")


def pronounceable(label: str) -> bool:
    """Whether a domain label reads as a word: four or more letters, with vowels, no four consonants in a row.

    >>> [pronounceable(label) for label in ("lemonde", "spiegel", "yna", "cjddsb", "www3", "xn--fiqs8s")]
    [True, True, False, False, False, False]
    """
    return (
        label.isascii() and label.isalpha() and len(label) >= 4 and not _GENERIC_LABEL.match(label)
        and _VOWEL.search(label) is not None and _CONSONANT_RUN.search(label) is None
    )


def publisher_named(text: str, language: str) -> str | None:
    """The spoken name, in ``language``, of a known publisher that ``text`` names, else None.

    A name counts as a whole word: "VOA" in "VOA Chinese", "美国之音" in "美国之音中文网", but "AP"
    not in "APPLE".

    >>> publisher_named("美國之音", "zh-CN"), publisher_named("DW 中文 | 德國之聲", "en-US")
    ('美国之音', 'DW')
    >>> publisher_named("Deutsche Welle", "zh-TW"), publisher_named("APPLE news", "en-US"), publisher_named("", "en")
    ('德國之聲', None, None)
    """
    folded = text.casefold()
    for domain, name in _KNOWN_NAMES:
        if _names_word(folded, name):
            return _pick(SOURCES[domain], language)
    return None


def _names_word(text: str, name: str) -> bool:
    start = text.find(name)
    while start >= 0:
        end = start + len(name)
        if not _latin_letter(text[start - 1 : start]) and not _latin_letter(text[end : end + 1]):
            return True
        start = text.find(name, start + 1)
    return False


def _latin_letter(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _known_names() -> tuple[tuple[str, str], ...]:
    """(domain, case-folded name) for every name of every row, longest first, so the most specific wins."""
    pairs = {(domain, name.casefold()) for domain, names in SOURCES.items() for name in names}
    pairs |= {(_row(domain), name.casefold()) for domain, names in OTHER_NAMES.items() for name in names}
    return tuple(sorted(pairs, key=lambda pair: (-len(pair[1]), pair)))


def _row(domain: str) -> str:
    if domain not in SOURCES:
        raise ValueError(f"OTHER_NAMES names {domain!r}, which has no row in SOURCES")
    return domain


def _matching(host: str, domains: tuple[str, ...]) -> str | None:
    """The longest of ``domains`` that is ``host`` or a parent of it."""
    found = [domain for domain in domains if host == domain or host.endswith("." + domain)]
    return max(found, key=len) if found else None


def _pick(names: tuple[str, str, str], language: str) -> str:
    if language.startswith("zh"):
        return names[1] if language in {"zh-TW", "zh-HK", "zh-Hant"} else names[0]
    return names[2]


_KNOWN_NAMES = _known_names()
