"""Spoken names of news sources, from the site an article link points at.

A table, not code: add a row for a new site. Keys are registrable domains; values give the name
in Simplified Chinese, Traditional Chinese and English. Keep the README's list of known sites in sync.
"""

from __future__ import annotations

from urllib.parse import urlsplit

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
}


def source_name(link: str, language: str) -> str:
    """The spoken name of the site ``link`` points at, in ``language``.

    >>> source_name("https://www.voachinese.com/a/x.html", "zh-CN")
    '美国之音'
    >>> source_name("https://news.example.co.uk/story", "en-US")
    'Example'
    >>> source_name("", "en-US")
    ''
    """
    host = (urlsplit(link).hostname or "").lower().removeprefix("www.")
    if not host:
        return ""
    for domain, names in SOURCES.items():
        if host == domain or host.endswith("." + domain):
            return _pick(names, language)
    return _site_word(host)


def _pick(names: tuple[str, str, str], language: str) -> str:
    if language.startswith("zh"):
        return names[1] if language in {"zh-TW", "zh-HK", "zh-Hant"} else names[0]
    return names[2]


def _site_word(host: str) -> str:
    """The distinctive word of a host name: ``news.example.co.uk`` → ``Example``."""
    labels = [label for label in host.split(".") if label not in {"www", "news", "com", "co", "org", "net"}]
    labels = [label for label in labels if len(label) > 2] or labels
    return labels[0].capitalize() if labels else host
