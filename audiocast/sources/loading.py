"""Turn raw input (a path, standard input or a page's URL) into text, refusing what is not an article.

Owns the checks every reader needs first: the input exists, is not empty, not binary, not too
big, and its encoding is found (a BOM, the charset a server declares, UTF-8, an HTML
``<meta charset>``, else detection, so GBK archives read correctly).
"""

from __future__ import annotations

import codecs
import re
import sys
from pathlib import Path

from charset_normalizer import from_bytes

from ..errors import ReadError
from ..fetch import download

MAX_ARTICLE_BYTES = 4 * 1024 * 1024
"""Larger inputs are refused: 4 MB of text is days of audio, never one article."""
PAGE_FETCH_TIMEOUT = 30.0
"""Seconds allowed for downloading an article page given as a URL."""

_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def read_input(source: str) -> tuple[str, str]:
    """Return (text, name) for a file path or ``-`` (standard input)."""
    if source == "-":
        return decode(_read_standard_input(), "standard input"), "standard input"
    path = Path(source)
    if not path.exists():
        raise ReadError(f"{source}: no such file")
    if path.is_dir():
        raise ReadError(f"{source}: is a folder; give one article file (feeds read folders)")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_ARTICLE_BYTES + 1)
    except OSError as exc:
        raise ReadError(f"{source}: cannot be read ({exc.strerror})") from exc
    return decode(data, source), source


def fetch_page(url: str) -> tuple[str, str]:
    """Return (text, address after redirects) of the web page at ``url``."""
    page = download(url, timeout=PAGE_FETCH_TIMEOUT, max_bytes=MAX_ARTICLE_BYTES, accept="text/html,*/*;q=0.5")
    if page.content_type and page.content_type not in _PAGE_TYPES:
        raise ReadError(f"{url}: not a web page ({page.content_type})")
    return decode(page.body, url, declared=page.charset), page.url


def _read_standard_input() -> bytes:
    if sys.stdin is None:  # what Python makes of a closed descriptor 0 (`audiocast script - <&-`)
        raise ReadError("standard input is closed; pipe an article in, or give its file")
    try:
        return sys.stdin.buffer.read(MAX_ARTICLE_BYTES + 1)
    except OSError as exc:
        raise ReadError(f"standard input: cannot be read ({exc.strerror or exc})") from exc


def decode(data: bytes, name: str, *, declared: str | None = None) -> str:
    """Decode article bytes to text, with one clear error for anything that is not text.

    ``declared`` is the charset a server named for them; it wins over everything but a BOM.

    >>> decode("北约".encode("gbk") * 20, "x")[:2]
    '北约'
    """
    if len(data) > MAX_ARTICLE_BYTES:
        raise ReadError(f"{name}: larger than {MAX_ARTICLE_BYTES // (1024 * 1024)} MB; one article at a time, please")
    if not data.strip():
        raise ReadError(f"{name}: is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if _looks_binary(data):
        raise ReadError(f"{name}: is a binary file, not an article (expected HTML, text or the archive format)")
    try:
        return data.decode(_widen(declared or "utf-8"))
    except LookupError:  # a charset Python does not know: find it as if none were declared
        return decode(data, name)
    except UnicodeDecodeError:
        pass
    return _decode_legacy(data, name)


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f\v\x1b")
    return controls > len(head) // 20


def _decode_legacy(data: bytes, name: str) -> str:
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise ReadError(f"{name}: text encoding not recognised; save it as UTF-8")
    encoding = _widen(best.encoding)
    return data.decode(encoding, errors="replace")


def _widen(encoding: str) -> str:
    """Prefer the superset of a detected Chinese encoding: GB2312/GBK text is valid GB18030.

    >>> _widen("gb2312")
    'gb18030'
    >>> _widen("big5")
    'big5hkscs'
    """
    lowered = encoding.lower().replace("_", "")
    if lowered in {"gb2312", "gbk", "gb18030"}:
        return "gb18030"
    if lowered == "big5":
        return "big5hkscs"
    return encoding
