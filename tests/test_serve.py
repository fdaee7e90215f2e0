"""``audiocast serve`` against a real server on 127.0.0.1: ranges, validators, types, CORS, traversal."""

from __future__ import annotations

import html
import html.parser
import http.client
import logging
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from audiocast.errors import ServeError
from audiocast.serve import Server, find_feeds, make_server

SECRET = b"outside the root: never served"
MP3 = random.Random(4).randbytes(300_000)  # content is irrelevant; size spans several chunks
FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Example</title>
<atom:link href="http://127.0.0.1:8000/example/feed.xml" rel="self" type="application/rss+xml"/>
</channel></rss>
"""
INDEX = "<!doctype html><title>Example</title><h1>新闻</h1>".encode()


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built output tree beside a secret that links try to reach; returns the root (public/)."""
    base = tmp_path_factory.mktemp("serve")
    (base / "outside").mkdir()
    (base / "outside" / "secret.txt").write_bytes(SECRET)
    example = base / "public" / "example"
    (example / "episodes").mkdir(parents=True)
    (base / "public" / "noindex").mkdir()
    (base / "public" / "noindex" / "note.txt").write_text("no index here")
    files = {
        "feed.xml": FEED,
        "index.html": INDEX,
        "cover.png": b"\x89PNG\r\n\x1a\n",
        "episodes/ep-1a2b.mp3": MP3,
        "episodes/ep-1a2b.vtt": b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n",
        "episodes/ep-1a2b.srt": b"1\n00:00:00,000 --> 00:00:01,000\nHello\n",
        "episodes/ep-1a2b.chapters.json": b'{"version": "1.2.0", "chapters": []}',
        ".state.json": b"{}",
    }
    for name, data in files.items():
        (example / name).write_bytes(data)
    (example / "escape.txt").symlink_to(base / "outside" / "secret.txt")
    (example / "escape-dir").symlink_to(base / "outside", target_is_directory=True)
    (example / "alias.mp3").symlink_to("episodes/ep-1a2b.mp3")
    (example / "state.json").symlink_to(".state.json")
    return base / "public"


@pytest.fixture(scope="module")
def server(tree: Path) -> Iterator[Server]:
    with make_server(tree, port=0) as running:
        running.start()
        yield running


Response = tuple[int, http.client.HTTPMessage, bytes]


def fetch(server: Server, path: str, method: str = "GET", **headers: str) -> Response:
    """One request on a fresh connection, sending ``path`` exactly as given (no normalisation)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request(method, path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


MP3_PATH = "/example/episodes/ep-1a2b.mp3"


def test_get_sends_the_whole_file_with_range_support(server: Server) -> None:
    status, headers, body = fetch(server, MP3_PATH)
    assert (status, body) == (200, MP3)
    assert headers["Content-Length"] == str(len(MP3))
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Type"] == "audio/mpeg"


def test_head_sends_the_get_headers_and_no_body(server: Server) -> None:
    _, get_headers, _ = fetch(server, MP3_PATH)
    status, headers, body = fetch(server, MP3_PATH, method="HEAD")
    assert (status, body) == (200, b"")
    for name in ("Content-Length", "Content-Type", "Accept-Ranges", "ETag", "Last-Modified"):
        assert headers[name] == get_headers[name]


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-1", 0, 1),  # what Apple's CoreMedia sends first
        ("bytes=100000-165535", 100_000, 165_535),
        ("bytes=-500", len(MP3) - 500, len(MP3) - 1),
        ("bytes=299000-", 299_000, len(MP3) - 1),
        ("bytes=299990-99999999", 299_990, len(MP3) - 1),
        ("bytes=-99999999", 0, len(MP3) - 1),
    ],
    ids=["first-bytes", "middle", "suffix", "open-ended", "end-clipped", "suffix-longer-than-file"],
)
def test_a_range_answers_206_with_exactly_those_bytes(server: Server, header: str, start: int, end: int) -> None:
    status, headers, body = fetch(server, MP3_PATH, Range=header)
    assert status == 206
    assert headers["Content-Range"] == f"bytes {start}-{end}/{len(MP3)}"
    assert headers["Content-Length"] == str(end - start + 1)
    assert body == MP3[start : end + 1]


@pytest.mark.parametrize("header", ["bytes=300000-", "bytes=999999-1000000", "bytes=-0"])
def test_an_unsatisfiable_range_answers_416_with_the_size(server: Server, header: str) -> None:
    status, headers, body = fetch(server, MP3_PATH, Range=header)
    assert (status, body) == (416, b"")
    assert headers["Content-Range"] == f"bytes */{len(MP3)}"


@pytest.mark.parametrize(
    "header",
    ["bytes=0-1,5-6", "bytes=9-2", "items=0-1", "bytes=x-y", "bytes=" + "9" * 5000 + "-", "bytes=0-" + "9" * 5000],
    ids=["multi", "backwards", "unit", "letters", "huge-start", "huge-end"],
)
def test_multi_range_and_malformed_ranges_get_the_whole_file(server: Server, header: str) -> None:
    status, _, body = fetch(server, MP3_PATH, Range=header)
    assert (status, body) == (200, MP3)


def test_head_ignores_range_as_rfc_9110_says(server: Server) -> None:
    status, headers, body = fetch(server, MP3_PATH, method="HEAD", Range="bytes=0-1")
    assert (status, body) == (200, b"")
    assert headers["Content-Length"] == str(len(MP3))


def test_if_range_sends_the_range_only_for_the_same_version(server: Server) -> None:
    etag = fetch(server, MP3_PATH, method="HEAD")[1]["ETag"]
    assert fetch(server, MP3_PATH, Range="bytes=0-1", If_Range=etag)[0] == 206
    assert fetch(server, MP3_PATH, Range="bytes=0-1", If_Range='"an-older-version"')[:3:2] == (200, MP3)


def test_validators_answer_304_until_the_file_changes(server: Server, tree: Path) -> None:
    page = tree / "example" / "changing.vtt"
    page.write_text("WEBVTT\n")
    _, headers, _ = fetch(server, "/example/changing.vtt")
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    status, headers_304, body = fetch(server, "/example/changing.vtt", If_None_Match=etag)
    assert (status, body, headers_304["ETag"]) == (304, b"", etag)
    assert fetch(server, "/example/changing.vtt", If_Modified_Since=last_modified)[0] == 304
    assert fetch(server, "/example/changing.vtt", If_Modified_Since="Mon, 01 Jan 2001 00:00:00 GMT")[0] == 200
    page.write_text("WEBVTT\n\nchanged\n")
    os.utime(page, (time.time() + 5, time.time() + 5))
    assert fetch(server, "/example/changing.vtt", If_None_Match=etag)[0] == 200
    assert fetch(server, "/example/changing.vtt", If_Modified_Since=last_modified)[0] == 200


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (MP3_PATH, "audio/mpeg"),
        ("/example/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/example/episodes/ep-1a2b.vtt", "text/vtt; charset=utf-8"),
        ("/example/episodes/ep-1a2b.srt", "application/x-subrip; charset=utf-8"),
        ("/example/episodes/ep-1a2b.chapters.json", "application/json+chapters"),
        ("/example/index.html", "text/html; charset=utf-8"),
        ("/example/cover.png", "image/png"),
    ],
)
def test_each_file_type_is_served_with_its_media_type(server: Server, path: str, expected: str) -> None:
    status, headers, _ = fetch(server, path)
    assert (status, headers["Content-Type"]) == (200, expected)


@pytest.mark.parametrize(
    "path", ["/example/episodes/ep-1a2b.vtt", "/example/episodes/ep-1a2b.chapters.json", "/missing"]
)
def test_transcripts_and_chapters_allow_any_origin(server: Server, path: str) -> None:
    assert fetch(server, path, Origin="http://player.example")[1]["Access-Control-Allow-Origin"] == "*"


def test_a_cors_preflight_for_a_range_request_is_allowed(server: Server) -> None:
    status, headers, _ = fetch(server, MP3_PATH, method="OPTIONS", Access_Control_Request_Headers="range")
    assert status == 204
    assert "Range" in headers["Access-Control-Allow-Headers"]
    assert headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "path",
    [
        "/../outside/secret.txt",
        "/example/../../outside/secret.txt",
        "/%2e%2e/outside/secret.txt",
        "/example/%2E%2E/%2e%2e/outside/secret.txt",
        "/..%2Foutside%2Fsecret.txt",
        "/example%2F..%2F..%2Foutside%2Fsecret.txt",
        "/..\\outside\\secret.txt",
        "http://127.0.0.1/../outside/secret.txt",
        "/example/escape.txt",
        "/example/escape-dir/secret.txt",
        "/example/.state.json",
        "/example/state.json",
        "/example/%00.mp3",
    ],
    ids=[
        "dot-dot",
        "dot-dot-nested",
        "encoded-dot-dot",
        "encoded-uppercase",
        "encoded-slash",
        "encoded-all",
        "backslash",
        "absolute-form",
        "symlink-file-out",
        "symlink-dir-out",
        "hidden-file",
        "symlink-to-hidden",
        "nul",
    ],
)
def test_nothing_outside_the_root_or_hidden_is_served(server: Server, path: str) -> None:
    status, _, body = fetch(server, path)
    assert status in (403, 404)
    assert SECRET not in body


def test_an_absolute_file_system_path_is_taken_below_the_root(server: Server, tree: Path) -> None:
    secret = tree.parent / "outside" / "secret.txt"
    status, _, body = fetch(server, "/" + str(secret))  # "//tmp/.../secret.txt"
    assert status == 404
    assert SECRET not in body


def test_a_symlink_that_stays_inside_the_root_is_followed(server: Server) -> None:
    assert fetch(server, "/example/alias.mp3")[:3:2] == (200, MP3)


def test_a_directory_redirects_to_its_slash_url_and_serves_its_index(server: Server) -> None:
    status, headers, _ = fetch(server, "/example?x=1")
    assert (status, headers["Location"]) == (301, "/example/")
    status, headers, body = fetch(server, "/example/")
    assert (status, body, headers["Content-Type"]) == (200, INDEX, "text/html; charset=utf-8")


@pytest.mark.parametrize("path", ["/noindex/", "/missing.mp3", "/example/episodes/"])
def test_directories_without_an_index_and_missing_files_are_404(server: Server, path: str) -> None:
    status, _, body = fetch(server, path)
    assert status == 404
    assert b"note.txt" not in body and b"ep-1a2b" not in body  # no listing


def test_one_keep_alive_connection_survives_empty_answers(server: Server) -> None:
    etag = fetch(server, MP3_PATH, method="HEAD")[1]["ETag"]
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    statuses = []
    for headers in ({"Range": "bytes=999999-"}, {"If-None-Match": etag}, {"Range": "bytes=0-1"}, {}):
        connection.request("GET", MP3_PATH, headers=headers)
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
    connection.close()
    assert statuses == [416, 304, 206, 200]


def test_small_range_answers_on_one_connection_do_not_stall(server: Server) -> None:
    # With Nagle's algorithm on, each answer waited ~40 ms for a delayed ACK: 50 took over 2 s.
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    started = time.perf_counter()
    for offset in range(0, 50 * 4096, 4096):
        connection.request("GET", MP3_PATH, headers={"Range": f"bytes={offset}-{offset + 4095}"})
        assert connection.getresponse().read() == MP3[offset : offset + 4096]
    elapsed = time.perf_counter() - started
    connection.close()
    assert elapsed < 1.0


def test_a_large_file_streams_in_chunks(server: Server, tree: Path) -> None:
    big = tree / "example" / "big.mp3"
    with big.open("wb") as sparse:
        sparse.truncate(64 * 1024 * 1024)
    tracemalloc.start()
    try:
        with urllib.request.urlopen(server.url + "example/big.mp3", timeout=10) as response:
            received = sum(len(chunk) for chunk in iter(lambda: response.read(1 << 16), b""))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        big.unlink()
    assert received == 64 * 1024 * 1024
    assert peak < 4 * 1024 * 1024


def test_a_client_hanging_up_mid_file_is_not_a_warning(
    server: Server, tree: Path, caplog: pytest.LogCaptureFixture
) -> None:
    big = tree / "example" / "hangup.mp3"
    with big.open("wb") as sparse:
        sparse.truncate(64 * 1024 * 1024)
    caplog.set_level(logging.DEBUG, logger="audiocast.serve")
    with socket.create_connection(("127.0.0.1", server.port)) as client:
        client.sendall(b"GET /example/hangup.mp3 HTTP/1.1\r\nHost: x\r\n\r\n")
        client.recv(1024)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset
    deadline = time.monotonic() + 5
    while "connection closed" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.02)
    big.unlink()
    assert "connection closed" in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_each_request_is_logged_at_debug(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="audiocast.serve")
    fetch(server, "/example/feed.xml")
    assert any(
        "GET /example/feed.xml" in record.getMessage() and " 200 " in record.getMessage()
        for record in caplog.records
        if record.levelno == logging.DEBUG
    )


def test_request_lines_are_logged_with_control_characters_escaped(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="audiocast.serve")
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as client:
        client.sendall(b"GET /\x1b]2;owned\x07\x1b[2J\x9b1m HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert client.recv(1024).startswith(b"HTTP/1.1 404")
    logged = [record.getMessage() for record in caplog.records if "GET /" in record.getMessage()]
    assert logged and all(not any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in line) for line in logged)
    assert any("GET /\\x1b]2;owned\\x07\\x1b[2J\\x9b1m HTTP/1.1" in line for line in logged)


def test_find_feeds_lists_each_feed_and_where_it_says_it_lives(tree: Path) -> None:
    [feed] = find_feeds(tree)
    assert feed.path == "example/feed.xml"
    assert feed.self_url == "http://127.0.0.1:8000/example/feed.xml"
    assert feed.title == "Example"


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]


def test_the_root_address_lists_each_feed_with_working_links(tmp_path: Path) -> None:
    hostile = '<b>"&x'
    for folder, title in (("example", "新闻 Example"), (hostile, "<script>alert(1)</script>")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "feed.xml").write_text(
            f"<rss><channel><title>{html.escape(title)}</title></channel></rss>", encoding="utf-8"
        )
        (tmp_path / folder / "index.html").write_text("<!doctype html><title>show</title>")
    with make_server(tmp_path, port=0) as running:
        running.start()
        status, headers, body = fetch(running, "/")
        page = body.decode("utf-8")
        links = _Links()
        links.feed(page)
        assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
        assert "新闻 Example" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert sorted(set(links.tags)) == ["a", "body", "h1", "head", "html", "li", "meta", "title", "ul"]
        assert len(links.hrefs) == 4
        for href in links.hrefs:
            assert fetch(running, "/" + href)[0] == 200, href


def test_the_root_address_says_how_to_build_a_feed_when_there_is_none(tmp_path: Path) -> None:
    with make_server(tmp_path, port=0) as running:
        running.start()
        status, _, body = fetch(running, "/")
    assert status == 200 and b"audiocast feed build feeds/NAME.toml" in body


def test_a_missing_root_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ServeError, match=r"nothing-here: no such folder"):
        make_server(tmp_path / "nothing-here", port=0)


def test_a_port_in_use_is_one_clear_error(server: Server, tree: Path) -> None:
    with pytest.raises(ServeError, match=rf"^port {server.port} is in use; pick another with --port$"):
        make_server(tree, port=server.port)


class _Lines:
    """A child's stdout, collected line by line in a thread so waiting for a line can time out."""

    def __init__(self, stream: IO[str]) -> None:
        self.text = ""
        self.closed = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._collect, args=(stream,), daemon=True)
        self._thread.start()

    def _collect(self, stream: IO[str]) -> None:
        for line in stream:
            with self._changed:
                self.text += line
                self._changed.notify_all()
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        with self._changed:
            self._changed.wait_for(lambda: self.closed or re.search(pattern, self.text), timeout)
            if match := re.search(pattern, self.text):
                return match
        raise LookupError(f"no line matching {pattern!r} in:\n{self.text}")

    def rest(self) -> str:
        self._thread.join(timeout=5)
        return self.text


CLI = [sys.executable, "-c", "from audiocast.cli import main; main()", "serve"]


def test_the_cli_prints_the_address_serves_it_and_stops_quietly_on_ctrl_c(tree: Path) -> None:
    child = subprocess.Popen(
        [*CLI, str(tree), "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stderr is not None
        lines = _Lines(child.stdout)
        try:
            lines.wait_for("Press Ctrl-C to stop", timeout=20)
        except LookupError as missing:
            child.kill()
            raise AssertionError(f"{missing}\nstderr:\n{child.stderr.read()}") from None
        feed_url = lines.wait_for(r"Subscribe in a podcast app: (\S+)", timeout=0).group(1)
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/example/feed\.xml", feed_url)
        with urllib.request.urlopen(feed_url, timeout=5) as response:
            assert response.read() == FEED
        child.send_signal(signal.SIGINT)
        child.wait(timeout=10)
        printed, err = lines.rest(), child.stderr.read()
    finally:
        child.kill()
    assert child.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert feed_url.removesuffix("feed.xml") in printed  # the page for browsers
    assert "rebuild with --base-url" in printed  # the feed was built for port 8000, not this one


def test_the_cli_reports_a_port_in_use_in_one_line(server: Server, tree: Path) -> None:
    result = subprocess.run([*CLI, str(tree), "--port", str(server.port)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (f"error: port {server.port} is in use; pick another with --port")
