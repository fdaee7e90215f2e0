"""The one rule for every link audiocast writes (index.html, feed.xml, show notes, ID3 ``WOAS``) and
every address it fetches (``fetch.download`` sends the URI made here).

Only absolute ``http``/``https`` addresses with a host pass; anything else (``javascript:``,
``data:``, ``file:``, ``vbscript:``, a relative path) is no link at all, since one click on a
``javascript:`` href runs it on the show's page. Readers drop such a link with a warning when an
article is built (``models.Article`` refuses it), and writers pass every link through
``safe_link`` so that what they write is a URI: an IRI such as ``https://zh.example.org/新闻/北约.html``
becomes ASCII (UTF-8 percent-encoded path and query, punycode host; RFC 3987 §3.1), which
Latin-1 ID3 URL frames need and Apple asks of feed URLs.
"""

from __future__ import annotations

import re
import urllib.parse

SCHEMES = frozenset({"http", "https"})

# RFC 3986 reserved and unreserved characters stay as they are, and so do existing %XX escapes.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def safe_link(url: str) -> str | None:
    """``url`` as an ASCII URI when it is an absolute http(s) address, else ``None``.

    >>> safe_link("https://zh.example.org/新闻/2023/北约.html?q=北约#第2段")
    'https://zh.example.org/%E6%96%B0%E9%97%BB/2023/%E5%8C%97%E7%BA%A6.html?q=%E5%8C%97%E7%BA%A6#%E7%AC%AC2%E6%AE%B5'
    >>> safe_link("http://北约.example/a%20b"), safe_link("https://example.org/a%20b 100%")
    ('http://xn--djrq72h.example/a%20b', 'https://example.org/a%20b%20100%25')
    >>> [safe_link(bad) for bad in ("javascript:alert(1)", " JavaScript:x", "data:text/html,x", "/a/1.html",
    ...                            "file:///etc/passwd", "vbscript:x", "//evil.example/x", "http://:80/")]
    [None, None, None, None, None, None, None, None]
    """
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError:  # a malformed IPv6 host or port
        return None
    if parts.scheme.lower() not in SCHEMES or not host:
        return None
    try:
        netloc = _ascii_host(host) + (f":{port}" if port is not None else "")
    except UnicodeError:
        return None
    if parts.username is not None:
        netloc = f"{_quote(parts.username, '')}{':' + _quote(parts.password, '') if parts.password else ''}@{netloc}"
    return urllib.parse.urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            _quote(parts.path, _PATH_SAFE),
            _quote(parts.query, _QUERY_SAFE),
            _quote(parts.fragment, _QUERY_SAFE),
        )
    )


def _ascii_host(host: str) -> str:
    """The host as written in a URI: punycode for an international name, brackets for IPv6."""
    if ":" in host:
        return f"[{host}]"
    return host if host.isascii() else host.encode("idna").decode("ascii")


def _quote(part: str, safe: str) -> str:
    return urllib.parse.quote(_LONE_PERCENT.sub("%25", part), safe=safe)
