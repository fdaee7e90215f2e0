"""Downloads over http(s) with one deadline for the whole transfer and a size cap.

A socket timeout bounds each read, not the download: a server that drips a byte at a time never
trips it. So a worker thread downloads, stopping at the deadline between reads, and the caller
waits for it no longer than the timeout (a worker stuck on dripped headers is left behind).
Only the caller reports the deadline: the worker can hit it at the same moment (between reads, or
as a socket timeout, which is never shorter than the time left), and its timeout is reported as
the caller's, so one slow server always gets the same message.
An address may be an IRI (``http://example.org/新闻/北约.html``, ``…?q=é``, an international host):
it is sent as the URI ``links.safe_link`` makes of it, as is every redirect's ``Location``.
urllib follows at most 10 redirects and stops a loop; a redirect may lead only to another http(s)
address (urllib would follow one to ``ftp://``). The answer carries the address it came from
in the end, its content type and its declared charset, so a page's reader can check and decode it.
Bodies are asked for compressed (gzip or deflate) and decompressed as they arrive; the size cap
counts decompressed bytes, so a small "gzip bomb" stops at the cap like any other large body.
Used for feeds, article pages and cover art; every failure is a one-line ``ReadError`` naming the
address, even one no network causes (a bug, told as such, with its traceback logged at debug level).
"""

from __future__ import annotations

import http.client
import logging
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from typing import IO

from .errors import ReadError
from .links import safe_link

log = logging.getLogger(__name__)

USER_AGENT = "audiocast/0.1 (+podcast feed builder)"
_CHUNK_BYTES = 64 * 1024
_WEB_ADDRESS = re.compile(r"^https?://", re.IGNORECASE)
_ACCEPT_ENCODING = "gzip, deflate"
_ZLIB_FORMAT = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
"""Content-Encoding → zlib's ``wbits`` for it (RFC 9110: "deflate" is the zlib format)."""


def is_url(text: str) -> bool:
    """Whether ``text`` is an http(s) address (what this module fetches) rather than a file name."""
    return _WEB_ADDRESS.match(text) is not None


class _WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        address = safe_link(_host_unquoted(newurl))
        if address is None:
            raise urllib.error.URLError(f"redirected to {newurl}, not an http(s) address")
        return super().redirect_request(req, fp, code, msg, headers, address)


def _host_unquoted(url: str) -> str:
    """``url`` with its host as the server wrote it: urllib percent-encodes every non-ASCII byte of a
    ``Location``, the host's too, and a host is made ASCII by IDNA, never by percent-encoding.

    >>> _host_unquoted("http://b%C3%BCcher.example/%C3%A9"), _host_unquoted("http://a%40b@x.org:81/")
    ('http://bücher.example/%C3%A9', 'http://a%40b@x.org:81/')
    """
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # a malformed IPv6 host: safe_link refuses it as it is
        return url
    user, at, host = parts.netloc.rpartition("@")
    return urllib.parse.urlunsplit(parts._replace(netloc=user + at + urllib.parse.unquote(host)))


_OPENER = urllib.request.build_opener(_WebOnlyRedirects)


@dataclass(frozen=True)
class Download:
    body: bytes
    """Decompressed, at most ``max_bytes + 1`` bytes (so the caller can tell it was too big)."""
    url: str
    """The address the body came from, after redirects."""
    content_type: str
    """The media type without parameters, lower case; ``""`` when the server names none."""
    charset: str | None
    """The charset the ``Content-Type`` header declares, if any."""


def download(url: str, *, timeout: float, max_bytes: int, accept: str = "*/*") -> Download:
    """The body at ``url`` (a URI or an IRI) with what the server says about it."""
    address = safe_link(url)
    if address is None:
        raise ReadError(f"{url}: not a valid http(s) address; check the address")
    headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": _ACCEPT_ENCODING}
    request = urllib.request.Request(address, headers=headers)
    outcome: list[Download | Exception] = []
    deadline = time.monotonic() + timeout
    worker = threading.Thread(
        target=_receive, args=(request, deadline, max_bytes, outcome), name="audiocast-fetch", daemon=True
    )
    worker.start()
    worker.join(timeout)
    if not outcome or _is_timeout(outcome[0]):
        raise _cannot_fetch(url, f"not complete within {timeout:g} s")
    result = outcome[0]
    if isinstance(result, Download):
        return result
    raise _fetch_error(url, result) from result


def _receive(
    request: urllib.request.Request, deadline: float, max_bytes: int, outcome: list[Download | Exception]
) -> None:
    """The download worker: puts the answer, or what went wrong, in ``outcome``."""
    try:
        with _OPENER.open(request, timeout=max(deadline - time.monotonic(), 0.01)) as response:
            body = _read_until(response, deadline, max_bytes, _decoder(response.headers.get("Content-Encoding")))
            declared = response.headers.get("Content-Type")
            content_type = response.headers.get_content_type() if declared else ""
            outcome.append(Download(body, response.url, content_type, response.headers.get_content_charset()))
    except Exception as exc:  # handed to the caller's thread, which translates it
        outcome.append(exc)


class _UndecodableBody(Exception):
    """The body does not decompress as the server says it is encoded; the message follows the address."""


def _decoder(content_encoding: str | None) -> _ZlibDecoder | None:
    """The decoder for a ``Content-Encoding``; None for a body sent as is."""
    encoding = (content_encoding or "identity").strip().lower()
    if encoding == "identity":
        return None
    if encoding not in _ZLIB_FORMAT:
        raise _UndecodableBody(f"the server sent {_one_line(encoding)}-encoded data, which audiocast cannot decode")
    return _ZlibDecoder(encoding, _ZLIB_FORMAT[encoding])


class _ZlibDecoder:
    """A gzip or deflate body decoded as it arrives, never more than the caller has room for."""

    def __init__(self, encoding: str, wbits: int) -> None:
        self._encoding = encoding
        self._stream = zlib.decompressobj(wbits)

    def decode(self, chunk: bytes, limit: int) -> bytes:
        """At most ``limit`` decoded bytes of ``chunk``; input beyond them is never decoded at all."""
        try:
            return self._stream.decompress(chunk, limit)
        except zlib.error as exc:
            raise _UndecodableBody(f"the server sent damaged {self._encoding} data ({exc}); try again later") from exc

    def finish(self) -> None:
        """Check, at the end of the body, that the compressed stream was whole."""
        if not self._stream.eof:
            raise _UndecodableBody(f"the server's {self._encoding} data ends early; try again later")


def _read_until(
    response: http.client.HTTPResponse, deadline: float, max_bytes: int, decoder: _ZlibDecoder | None
) -> bytes:
    """At most ``max_bytes + 1`` bytes of the decoded body, read as they arrive, until ``deadline``.

    Stopping at ``max_bytes + 1`` decoded bytes also stops decoding: a chunk that would decode to
    more leaves the rest undecoded, so a small compressed body never expands in memory.
    """
    chunks: list[bytes] = []
    size = 0
    while size <= max_bytes:
        if time.monotonic() > deadline:
            raise TimeoutError("past the deadline")  # reported by the caller, as its own timeout
        arriving = response.read1(_CHUNK_BYTES)
        if not arriving:
            if decoder is not None:
                decoder.finish()
            break
        chunk = arriving if decoder is None else decoder.decode(arriving, max_bytes + 1 - size)
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _is_timeout(result: Download | Exception) -> bool:
    """Whether the worker stopped at the deadline (urllib wraps a timed-out connect in ``URLError``)."""
    return isinstance(result, TimeoutError) or isinstance(getattr(result, "reason", None), TimeoutError)


def _fetch_error(url: str, exc: Exception) -> ReadError:
    """The one-line error for a failed download."""
    if isinstance(exc, _UndecodableBody):
        return ReadError(f"{url}: {exc}")
    if isinstance(exc, urllib.error.HTTPError):
        if 300 <= exc.code < 400:  # urllib gave up following: a loop, or more than 10 redirects
            return ReadError(f"{url}: too many redirects (the server redirects in a loop); check the address")
        return ReadError(f"{url}: the server answered {exc.code} {_one_line(exc.reason)}; check the address")
    if isinstance(exc, urllib.error.URLError | http.client.HTTPException | OSError):
        return _cannot_fetch(url, getattr(exc, "reason", exc))
    if isinstance(exc, ValueError):  # urllib's word for an address it cannot parse (a redirect to "http://[x")
        return _cannot_fetch(url, exc)
    log.debug("unexpected error fetching %s", url, exc_info=exc)
    return ReadError(f"{url}: cannot be fetched (unexpected {type(exc).__name__}: {_one_line(exc)}); please report it")


def _cannot_fetch(url: str, reason: object) -> ReadError:
    return ReadError(f"{url}: cannot be fetched ({_one_line(reason)}); check the address and the network")


def _one_line(reason: object) -> str:
    """A server's or library's reason text on one line (both can carry newlines).

    >>> _one_line("a\\nb  c")
    'a b c'
    """
    return " ".join(str(reason).split())
