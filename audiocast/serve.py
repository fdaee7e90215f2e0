"""Serve a built output tree (``public/``) over HTTP so podcast apps and browsers can stream it.

Owns: mapping a request path to a file strictly inside the root, the response headers podcast
clients rely on (types, byte ranges, validators, CORS), streaming files in chunks, and the
server's lifecycle. What the ``serve`` command prints lives in ``cli/serve.py``.

Rules, and the client behaviour behind them (see shared/reference/podcast-feed-standards.md):

- GET and HEAD; one byte range per request (``bytes=a-b``, ``bytes=a-``, ``bytes=-n``) answers
  206 with ``Content-Range``; an unsatisfiable range answers 416 with ``Content-Range: bytes */size``.
  Apple's CoreMedia opens every episode with ``Range: bytes=0-1`` and rejects hosts that answer 200.
  Multi-range and malformed ranges are ignored (a full 200), which RFC 9110 §14.2 allows.
- ``ETag`` and ``Last-Modified`` on every file, 304 on ``If-None-Match`` / ``If-Modified-Since``,
  ``If-Range`` honoured so a resumed download never splices two versions of a file.
- ``Access-Control-Allow-Origin: *`` on every answer: browser players load transcripts and
  chapters from other origins (podcast namespace, ``<podcast:transcript>`` notes).
- Nothing outside the root: every path segment is decoded on its own, and ``..``, ``.``, encoded
  slashes or backslashes, NUL and hidden names (temporary ``.part`` files, state) are refused; the
  resolved target (symlinks followed) must still be inside the root and not hidden. No directory
  listings; only the root, when it has no ``index.html`` of its own, answers with a generated page
  linking to each feed, so the address ``serve`` prints leads somewhere.
- Request lines are logged (at ``-vv``) with control characters escaped: they are the client's.
"""

from __future__ import annotations

import contextlib
import email.utils
import errno
import html
import io
import logging
import re
import socket
import socketserver
import stat
import sys
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import BinaryIO
from xml.etree import ElementTree

from .errors import ServeError

__all__ = [
    "CONTENT_TYPES",
    "PublishedFeed",
    "Server",
    "content_type",
    "find_feeds",
    "lan_address",
    "make_server",
    "parse_range",
    "serve",
]

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024
BUILD_COMMAND = "audiocast feed build feeds/NAME.toml"
"""What to run when there is no feed to serve yet (the banner and the root page say it)."""
# At most 18 digits: more than any file has bytes (1 EB). A longer number is malformed, so the
# range is ignored (a full 200) rather than parsed: int() of thousands of digits is slow or refused.
_RANGE = re.compile(r"\s*bytes\s*=\s*(\d{0,18})\s*-\s*(\d{0,18})\s*", re.IGNORECASE)
_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})
# C0, DEL and C1 controls as \xNN: a request line is decoded as Latin-1, so no other code point occurs.
_ESCAPED_CONTROLS = {code: f"\\x{code:02x}" for code in [*range(0x20), *range(0x7F, 0xA0)]}

# Content types by file-name ending, longest ending first. Keep the README's serve section in sync.
# Charset only on textual types whose registration defines one (RFC 8259 gives JSON none).
CONTENT_TYPES: dict[str, str] = {
    ".chapters.json": "application/json+chapters",  # podcast namespace <podcast:chapters> type
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    # Not application/vnd.apple.mpegurl: Safari would take the local-listening playlist for an HLS stream.
    ".m3u8": "audio/mpegurl",
    ".xml": "application/rss+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",  # AntennaPod ignores transcripts typed text/srt
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"


def content_type(name: str) -> str:
    """The Content-Type header for a file name.

    >>> content_type("ep-1a2b.chapters.json")
    'application/json+chapters'
    >>> content_type("EPISODE.MP3")
    'audio/mpeg'
    >>> content_type("feed.xml")
    'application/rss+xml; charset=utf-8'
    >>> content_type("README")
    'application/octet-stream'
    """
    lowered = name.lower()
    for ending, media_type in CONTENT_TYPES.items():
        if lowered.endswith(ending):
            return media_type
    return DEFAULT_CONTENT_TYPE


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte span one ``Range`` header asks for; ``None`` means serve the whole file.

    Raises ``ValueError`` when the range is well formed but unsatisfiable (the caller answers 416).

    >>> parse_range("bytes=0-1", 100)
    (0, 1)
    >>> parse_range("bytes=90-", 100)
    (90, 99)
    >>> parse_range("bytes=-10", 100)
    (90, 99)
    >>> parse_range("bytes=50-500", 100)
    (50, 99)
    >>> parse_range("bytes=0-1,5-6", 100) is None, parse_range("bytes=9-2", 100) is None  # ignored
    (True, True)
    >>> parse_range("bytes=0-" + "9" * 5000, 100) is None  # absurdly long: malformed, ignored
    True
    >>> parse_range("bytes=100-", 100)
    Traceback (most recent call last):
    ...
    ValueError: range not satisfiable
    """
    match = _RANGE.fullmatch(header)
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":
        length = int(last)
        if length == 0 or size == 0:
            raise ValueError("range not satisfiable")
        return max(size - length, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # invalid per RFC 9110 §14.1.1; ignored rather than rejected
    if start >= size:
        raise ValueError("range not satisfiable")
    end = min(int(last), size - 1) if last else size - 1
    return start, end


@dataclass(frozen=True)
class _Target:
    """A regular file chosen for a request, with the validators its headers carry."""

    path: Path
    size: int
    etag: str
    last_modified: str
    mtime: int


@dataclass(frozen=True)
class PublishedFeed:
    """A ``feed.xml`` found under the root.

    ``path`` is its URL path below the root (``example/feed.xml``); ``self_url`` is the address the
    feed says it lives at (``atom:link rel="self"``), where its episode links point; ``title`` is the
    channel's title ("" when it has none).
    """

    path: str
    self_url: str | None
    title: str = ""


def find_feeds(root: Path) -> list[PublishedFeed]:
    """Every ``feed.xml`` the server would serve under ``root``, in path order."""
    base = root.resolve()
    feeds = []
    for candidate in sorted(base.rglob("feed.xml")):
        relative = candidate.relative_to(base)
        if _is_hidden(relative):
            continue
        if not candidate.resolve().is_relative_to(base):
            continue
        url_path = "/".join(urllib.parse.quote(part) for part in relative.parts)
        channel = _channel(candidate)
        feeds.append(PublishedFeed(path=url_path, self_url=_self_url(channel), title=_title(channel)))
    return feeds


def _channel(feed: Path) -> ElementTree.Element | None:
    """The ``<channel>`` of an RSS file, or ``None`` (with a warning) when it cannot be read."""
    try:
        return ElementTree.parse(feed).getroot().find("channel")
    except (OSError, ElementTree.ParseError) as error:
        logger.warning("%s: cannot read the feed: %s", feed, error)
        return None


def _self_url(channel: ElementTree.Element | None) -> str | None:
    """The channel's ``atom:link rel="self"``, or ``None`` when absent."""
    for link in channel.iter("{http://www.w3.org/2005/Atom}link") if channel is not None else ():
        if link.get("rel") == "self" and link.get("href"):
            return link.get("href")
    return None


def _title(channel: ElementTree.Element | None) -> str:
    return (channel.findtext("title") or "").strip() if channel is not None else ""


def _feed_list_page(feeds: list[PublishedFeed]) -> str:
    """The page the root answers with when it has no ``index.html``: a link to each feed's page and
    feed. Names and titles come from the served files, so every one is HTML-escaped."""
    items = []
    for feed in feeds:
        page = feed.path.removesuffix("feed.xml") or "./"
        name = html.escape(feed.title or urllib.parse.unquote(page))
        items.append(
            f'<li><a href="{html.escape(page)}">{name}</a> · '
            f'<a href="{html.escape(feed.path)}">feed.xml</a> (subscribe to it in a podcast app)</li>'
        )
    listing = (
        "<ul>\n" + "\n".join(items) + "\n</ul>"
        if items
        else f"<p>No feed.xml here yet; build one with <code>{BUILD_COMMAND}</code>.</p>"
    )
    return (
        '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Podcast feeds</title></head>\n'
        f"<body>\n<h1>Podcast feeds</h1>\n{listing}\n</body>\n</html>\n"
    )


def lan_address() -> str | None:
    """This machine's address on its primary network, or ``None`` when it has none.

    Connecting a UDP socket only picks a route; no packet is sent (192.0.2.1 is TEST-NET-1).
    """
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))
        address: str = probe.getsockname()[0]
        if not address.startswith("127.") and address != "0.0.0.0":
            return address
    return None


class Server(ThreadingHTTPServer):
    """A threaded static server for one root folder.

    Use ``serve_forever()`` in the calling thread, or ``start()`` to serve from a daemon thread;
    as a context manager it stops that thread and closes the socket on exit.
    """

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, root: Path, host: str, port: int) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.root = root.resolve()
        self._thread: threading.Thread | None = None
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind also calls socket.getfqdn(), a reverse DNS lookup that can stall
        # for seconds when the resolver is unreachable; nothing here uses its server_name.
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)  # "::" takes IPv4 too
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.host, self.port

    @property
    def host(self) -> str:
        """The address the socket is bound to (``0.0.0.0`` for every interface)."""
        return str(self.server_address[0])

    @property
    def port(self) -> int:
        """The bound port; the real one when 0 was asked for."""
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """The root's URL as seen from this machine (loopback when bound to every interface)."""
        host = self.host
        if host in _WILDCARD_HOSTS:
            host = "::1" if self.address_family == socket.AF_INET6 else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    def start(self) -> threading.Thread:
        """Serve from a daemon thread and return it; leaving the ``with`` block stops it."""
        self._thread = threading.Thread(target=self.serve_forever, name="audiocast-serve", daemon=True)
        self._thread.start()
        return self._thread

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def handle_error(self, request: object, client_address: object) -> None:
        """Log a failed request instead of printing a traceback to stderr."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            # Players drop connections mid-file all the time (seeking, skipping): not a fault.
            logger.debug("%s: connection closed: %s", client_address, error)
            return
        logger.warning("%s: request failed: %r", client_address, error, exc_info=error)


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000) -> Server:
    """A server for ``root`` bound to ``host:port`` (port 0 picks a free one), not yet serving.

    Raises ``ServeError`` when the root is not a folder or the address cannot be bound.
    """
    if not root.is_dir():
        raise ServeError(f"{root}: no such folder; build a feed into it first with `audiocast feed build`")
    try:
        return Server(root, host, port)
    except OSError as error:
        raise ServeError(_bind_failure(host, port, error)) from error


def _bind_failure(host: str, port: int, error: OSError) -> str:
    """One line naming the address and the fix for a socket that could not be bound."""
    if error.errno == errno.EADDRINUSE:
        return f"port {port} is in use; pick another with --port"
    if error.errno == errno.EACCES:
        return f"port {port} needs administrator rights; pick one above 1023 with --port"
    if isinstance(error, socket.gaierror) or error.errno == errno.EADDRNOTAVAIL:
        return f"{host}: not an address of this machine; use --host 127.0.0.1 or --host 0.0.0.0"
    return f"{host}:{port}: cannot listen: {error.strerror or error}"


def serve(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    on_ready: Callable[[Server], None] | None = None,
) -> None:
    """Serve ``root`` until Ctrl-C; ``on_ready`` runs once the socket is bound.

    Ctrl-C (``KeyboardInterrupt``) while serving is the normal way to stop, so it returns quietly.
    """
    with make_server(root, host, port) as server:
        if on_ready is not None:
            on_ready(server)
        logger.debug("serving %s at %s", server.root, server.url)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            logger.debug("stopped")


class _Handler(BaseHTTPRequestHandler):
    """One request: resolve the path safely, check validators, send the file or its span."""

    server: Server
    protocol_version = "HTTP/1.1"  # keep-alive: players issue many small range requests
    # Headers and body are separate writes; with Nagle on, each small keep-alive answer waits
    # ~40 ms for the client's delayed ACK (measured: 1000 4 KiB ranges took 44 s, not 0.2 s).
    disable_nagle_algorithm = True
    timeout = 60  # idle keep-alive connections release their thread

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_OPTIONS(self) -> None:
        """Answer CORS preflights, which browsers send before a ``fetch`` with ``Range``."""
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Range, If-None-Match, If-Modified-Since, If-Range")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "Accept-Ranges, Content-Length, Content-Range, ETag")
        super().end_headers()

    def version_string(self) -> str:
        return "audiocast"  # not the Python version http.server would add

    def log_message(self, format: str, *args: object) -> None:
        # The request line is the client's: its control characters (terminal escapes) are escaped.
        logger.debug("%s %s", self.address_string(), (format % args).translate(_ESCAPED_CONTROLS))

    def _respond(self, send_body: bool) -> None:
        segments = _request_segments(self.path)
        if segments is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        target = _resolve(self.server.root, segments)
        if target is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        if target.is_dir():
            self._respond_directory(target, segments, send_body)
            return
        self._respond_file(target, send_body)

    def _respond_directory(self, directory: Path, segments: list[str], send_body: bool) -> None:
        if not self.path.split("?", 1)[0].endswith("/"):
            # Rebuilt from the checked segments, never from the raw path: no open redirect.
            location = "/" + "".join(urllib.parse.quote(segment) + "/" for segment in segments)
            self._send_empty(HTTPStatus.MOVED_PERMANENTLY, {"Location": location})
            return
        index = _resolve(self.server.root, [*segments, "index.html"])
        if index is None and not segments:
            self._send_page(_feed_list_page(find_feeds(self.server.root)), send_body)
            return
        if index is None or index.is_dir():
            self.send_error(HTTPStatus.NOT_FOUND)  # no directory listings
            return
        self._respond_file(index, send_body)

    def _send_page(self, page: str, send_body: bool) -> None:
        body = page.encode("utf-8")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type(".html"))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _respond_file(self, path: Path, send_body: bool) -> None:
        target = _stat_target(path)
        if target is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        validators = {"ETag": target.etag, "Last-Modified": target.last_modified}
        if self._not_modified(target):
            self._send_empty(HTTPStatus.NOT_MODIFIED, validators, content_length=False)
            return
        span = None
        range_header = self.headers.get("Range")
        # RFC 9110 §14.2: range handling is defined for GET only; HEAD describes the whole file.
        if range_header and self.command == "GET" and self._if_range_holds(target):
            try:
                span = parse_range(range_header, target.size)
            except ValueError:
                headers = {"Content-Range": f"bytes */{target.size}", "Accept-Ranges": "bytes"}
                self._send_empty(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, headers)
                return
        self._send_file(target, span, validators, send_body)

    def _send_file(
        self, target: _Target, span: tuple[int, int] | None, validators: dict[str, str], send_body: bool
    ) -> None:
        start, end = span if span is not None else (0, target.size - 1)
        try:
            file = target.path.open("rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        with file:
            self.send_response(HTTPStatus.PARTIAL_CONTENT if span is not None else HTTPStatus.OK)
            self.send_header("Content-Type", content_type(target.path.name))
            self.send_header("Content-Length", str(end - start + 1))
            if span is not None:
                self.send_header("Content-Range", f"bytes {start}-{end}/{target.size}")
            self.send_header("Accept-Ranges", "bytes")
            for name, value in validators.items():
                self.send_header(name, value)
            # Revalidate every time (a cheap 304): feed.xml and index.html change in place.
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            if send_body and _copy_span(file, self.wfile, start, end - start + 1) < end - start + 1:
                self.close_connection = True  # the file shrank mid-send: the body is short

    def _send_empty(self, status: HTTPStatus, headers: dict[str, str], content_length: bool = True) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if content_length:
            self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_modified(self, target: _Target) -> bool:
        """RFC 9110 §13.1.2–13.1.3: If-None-Match wins; If-Modified-Since only without it."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return _etag_listed(if_none_match, target.etag, weak=True)
        since = _parse_http_date(self.headers.get("If-Modified-Since"))
        return since is not None and target.mtime <= since

    def _if_range_holds(self, target: _Target) -> bool:
        """False when If-Range names another version: then the whole current file is sent."""
        condition = self.headers.get("If-Range")
        if condition is None:
            return True
        condition = condition.strip()
        if condition.startswith(('"', "W/")):
            return _etag_listed(condition, target.etag, weak=False)
        return condition == target.last_modified


def _request_segments(raw_path: str) -> list[str] | None:
    """The decoded path segments of a request target, or ``None`` if it tries to leave the root.

    Segments are split before decoding, so ``%2F`` cannot smuggle a separator in.

    >>> _request_segments("/example/episodes/ep%201.mp3?x=1")
    ['example', 'episodes', 'ep 1.mp3']
    >>> _request_segments("/example/")
    ['example']
    >>> [_request_segments(p) for p in ["/../x", "/%2e%2e/x", "/a%2F..%2Fx", "/a\\\\b", "/.state.json"]]
    [None, None, None, None, None]
    """
    path = raw_path.split("?", 1)[0].split("#", 1)[0]
    if "://" in path:  # absolute-form request target (RFC 9112 §3.2.2): keep only its path
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    segments = []
    for raw in path.split("/"):
        if raw == "":
            continue
        try:
            segment = urllib.parse.unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return None
        if segment.startswith(".") or any(char in segment for char in "/\\\x00"):
            return None
        segments.append(segment)
    return segments


def _resolve(root: Path, segments: list[str]) -> Path | None:
    """The existing path for ``segments`` with symlinks followed, if it is still inside ``root`` and
    not hidden: a link to ``.audiocast-state.json`` is as private as the file itself."""
    try:
        resolved = root.joinpath(*segments).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):  # missing, symlink loop, NUL
        return None
    if not resolved.is_relative_to(root) or _is_hidden(resolved.relative_to(root)):
        return None
    return resolved


def _is_hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _stat_target(path: Path) -> _Target | None:
    """Size and validators of a regular file; ``None`` for anything else (a FIFO would hang)."""
    try:
        info = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    etag = f'"{info.st_ino:x}-{info.st_size:x}-{info.st_mtime_ns:x}"'
    last_modified = email.utils.formatdate(info.st_mtime, usegmt=True)
    return _Target(path, info.st_size, etag, last_modified, int(info.st_mtime))


def _etag_listed(header: str, etag: str, weak: bool) -> bool:
    """Whether ``etag`` matches a comma-separated If-None-Match / If-Range list.

    >>> _etag_listed('W/"a", "b"', '"a"', weak=True), _etag_listed('W/"a"', '"a"', weak=False)
    (True, False)
    """
    for candidate in (item.strip() for item in header.split(",")):
        if candidate == "*":
            return True
        if weak and candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate == etag:
            return True
    return False


def _parse_http_date(value: str | None) -> int | None:
    """Seconds since the epoch for an HTTP date, or ``None`` when absent or malformed."""
    if not value:
        return None
    try:
        parsed: datetime = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return None
    return int(parsed.timestamp())


def _copy_span(source: BinaryIO, sink: io.BufferedIOBase, start: int, length: int) -> int:
    """Stream ``length`` bytes from ``start`` in fixed chunks and return how many were sent.

    Whole episodes never sit in memory; fewer bytes than asked means the file shrank meanwhile.
    """
    source.seek(start)
    sent = 0
    while sent < length:
        chunk = source.read(min(CHUNK_SIZE, length - sent))
        if not chunk:
            break
        sink.write(chunk)
        sent += len(chunk)
    return sent
