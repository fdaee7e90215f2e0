"""An ARTICLE given as an http(s) URL: pages served from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import io
import json
import socket
import threading
import tracemalloc
import urllib.parse
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from PIL import Image

from audiocast import fetch
from audiocast.errors import ReadError
from audiocast.links import safe_link
from audiocast.publish.artwork import default_cover
from audiocast.sources import loading
from audiocast.sources.feed import read_feed

from .conftest import decode_mp3, read_id3, run_cli
from .feed_helpers import FEED_DATA
from .http_helpers import QuietHandler, serving
from .test_cover import assert_padded

ENGLISH = """<html><head><title>Harbour ferries return after winter repairs</title>{head}</head><body>
<article><h1>Harbour ferries return after winter repairs</h1>
<p>The harbour ferries returned to service on Tuesday after three months of winter repairs, the city said.</p>
<p>Boats will run every twenty minutes during the day and every half hour in the evening all summer.</p>
</article></body></html>"""
CHINESE_TITLE = "图书馆延长晚间开放时间"
CHINESE = f"""<html><head>{{head}}<title>{CHINESE_TITLE}</title></head><body><article><h1>{CHINESE_TITLE}</h1>
<p>市图书馆周一宣布，从下月起每天晚间开放时间延长两个小时，方便上班族和学生在下班放学后借阅图书。</p>
<p>馆长表示，延长开放时间是读者意见调查中呼声最高的一项要求，图书馆将为此增加值班人员。</p>
</article></body></html>"""
HUGE_BYTES = 30 * 1024 * 1024
GZIP_BOMB = gzip.compress(bytes(HUGE_BYTES), compresslevel=9)
"""30 MB of zeros in about 30 KB: only decoding tells how large it is."""
COMPRESSED_FEED = FEED_DATA / "rss-content.xml"
PICTURED = """<html><head><title>Harbour ferries return after winter repairs</title></head><body><article>
<h1>Harbour ferries return after winter repairs</h1>
<p>The harbour ferries returned to service on Tuesday after three months of winter repairs, the city said.</p>
<p>Boats will run every twenty minutes during the day and every half hour in the evening all summer.</p>
<figure><img src="{image}"><figcaption>The ferry Harbour Queen at the pier on Tuesday.</figcaption></figure>
<p>The repairs replaced the engines of two boats and the landing stage at the north pier, the city said.</p>
<p>Tickets cost the same as last year, and monthly passes bought before the winter are still valid.</p>
</article></body></html>"""
BAD_HOST = "http://[bad/story.html"
"""An address no URL parser takes (an IPv6 host never closed), sent by a server as a redirect."""


def _red_jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (600, 400), (255, 0, 0)).save(output, format="JPEG")
    return output.getvalue()


def _sent_as_uri(path: str) -> str:
    """How a client must ask for a path with non-ASCII characters: percent-encoded UTF-8."""
    return urllib.parse.quote(path, safe="/?=")


class _PageHandler(QuietHandler):
    accept_encodings: ClassVar[list[str | None]] = []
    """The ``Accept-Encoding`` of each request for a compressed route, in order."""

    def do_GET(self) -> None:
        compressed = {
            "/gzip.html": ("gzip", gzip.compress(ENGLISH.format(head="").encode())),
            "/deflate.html": ("deflate", zlib.compress(ENGLISH.format(head="").encode())),
            "/feed.xml": ("gzip", gzip.compress(COMPRESSED_FEED.read_bytes())),
        }
        hostile = {  # sent encoded whatever the client asked for
            "/bomb.html": ("gzip", GZIP_BOMB),
            "/corrupt-gzip.html": ("gzip", ENGLISH.format(head="").encode()),
            "/truncated-gzip.html": ("gzip", gzip.compress(ENGLISH.format(head="").encode())[:-40]),
            "/brotli.html": ("br", b"\x1b\x03\x00\xf8\xa5\x00"),
        }
        if self.path in compressed:
            self.accept_encodings.append(self.headers.get("Accept-Encoding"))
            self._send_compressed(*compressed[self.path])
            return
        if self.path in hostile:
            self._send_compressed(*hostile[self.path], always=True)
            return
        routes = {
            "/gbk-header.html": ("text/html; charset=GBK", CHINESE.format(head="").encode("gbk")),
            "/gbk-meta.html": ("text/html", CHINESE.format(head='<meta charset="gbk">').encode("gbk")),
            "/news/harbour-ferries-return.html": ("text/html; charset=utf-8", ENGLISH.format(head="").encode()),
            "/canonical.html": (
                "text/html",
                ENGLISH.format(head='<link rel="canonical" href="/a/ferries-2024.html">').encode(),
            ),
            "/report.pdf": ("application/pdf", b"%PDF-1.4\n" + b"x" * 1000),
            _sent_as_uri("/新闻/北约.html"): ("text/html; charset=utf-8", ENGLISH.format(head="").encode()),
            _sent_as_uri("/search?q=é"): ("text/html; charset=utf-8", ENGLISH.format(head="").encode()),
            _sent_as_uri("/新闻/图片报道.html"): ("text/html", PICTURED.format(image="/图片/red.jpg").encode()),
            "/bad-picture.html": ("text/html", PICTURED.format(image="/to-bad-host.jpg").encode()),
            _sent_as_uri("/图片/red.jpg"): ("image/jpeg", _red_jpeg()),
        }
        if self.path in routes:
            content_type, body = routes[self.path]
            self._send(200, content_type, body)
        elif self.path == "/moved":
            self._redirect("/news/harbour-ferries-return.html")
        elif self.path == "/loop.html":
            self._redirect(self.path)
        elif self.path == "/to-ftp":
            self._redirect("ftp://127.0.0.1/story.html")
        elif self.path in {"/to-bad-host", "/to-bad-host.jpg"}:
            self._redirect(BAD_HOST)
        elif self.path == "/moved-zh":
            self._redirect("/新闻/北约.html".encode().decode("latin-1"))  # UTF-8 bytes, as servers send it
        elif self.path == "/huge.html":
            self._send_huge()
        elif self.path == "/slow.html":
            threading.Event().wait(2)
            self._send(200, "text/html", ENGLISH.format(head="").encode())
        else:
            self._send(404, "text/html", b"<html><body><p>Not found</p></body></html>")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # a client that gave up (the slow page) has closed
            self.wfile.write(body)

    def _send_compressed(self, encoding: str, body: bytes, *, always: bool = False) -> None:
        """``body`` sent as ``encoding`` if the client accepts it (or ``always``), else decoded."""
        accepted = self.headers.get("Accept-Encoding") or ""
        content_type = "application/rss+xml" if self.path.endswith(".xml") else "text/html; charset=utf-8"
        if not always and encoding not in accepted:
            self._send(200, content_type, gzip.decompress(body) if encoding == "gzip" else zlib.decompress(body))
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # a client that stops at its size cap has closed
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send_huge(self) -> None:
        """30 MB of paragraphs as fast as the client takes them; it must stop reading at its cap."""
        chunk = b"<p>" + b"The harbour ferries run every twenty minutes. " * 1000 + b"</p>\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(HUGE_BYTES))
        self.end_headers()
        sent = 0
        try:
            while sent < HUGE_BYTES:
                part = chunk[: HUGE_BYTES - sent]
                self.wfile.write(part)
                sent += len(part)
        except OSError:
            pass  # the client stopped reading, as it should


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serving(_PageHandler) as url:
        yield url


def script_json(url: str) -> dict[str, str]:
    result = run_cli("script", url, "--json")
    assert result.code == 0, result.err
    document: dict[str, str] = json.loads(result.out)
    return document


@pytest.mark.parametrize("page", ["gbk-header.html", "gbk-meta.html"])
def test_a_gbk_page_is_decoded_by_its_header_or_its_meta_charset(site: str, page: str) -> None:
    document = script_json(f"{site}/{page}")
    assert document["title"] == CHINESE_TITLE
    assert document["language"] == "zh-CN"


def test_a_declared_charset_wins_over_detection() -> None:
    """Two characters of GBK are too few to detect; the server's word decides."""
    assert loading.decode("北约 NATO".encode("gbk"), "x", declared="gbk") == "北约 NATO"


def test_script_of_a_url_shows_the_title_and_the_page_address_as_its_link(site: str) -> None:
    url = f"{site}/news/harbour-ferries-return.html"
    document = script_json(url)
    assert (document["title"], document["link"]) == ("Harbour ferries return after winter repairs", url)


def test_a_redirected_page_is_linked_to_where_it_ended(site: str) -> None:
    assert script_json(f"{site}/moved")["link"] == f"{site}/news/harbour-ferries-return.html"


def test_the_canonical_link_is_the_article_link(site: str) -> None:
    assert script_json(f"{site}/canonical.html")["link"] == f"{site}/a/ferries-2024.html"


def _refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed: nothing listens there now


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing.html", "{url}: the server answered 404 Not Found; check the address"),
        ("/report.pdf", "{url}: not a web page (application/pdf)"),
        ("/huge.html", "{url}: larger than 4 MB; one article at a time, please"),
        ("/bomb.html", "{url}: larger than 4 MB; one article at a time, please"),
        (
            "/corrupt-gzip.html",
            "{url}: the server sent damaged gzip data (Error -3 while decompressing data: incorrect header check); "
            "try again later",
        ),
        ("/truncated-gzip.html", "{url}: the server's gzip data ends early; try again later"),
        ("/brotli.html", "{url}: the server sent br-encoded data, which audiocast cannot decode"),
        ("/loop.html", "{url}: too many redirects (the server redirects in a loop); check the address"),
        (
            "/to-ftp",
            "{url}: cannot be fetched (redirected to ftp://127.0.0.1/story.html, not an http(s) address); "
            "check the address and the network",
        ),
        ("/to-bad-host", "{url}: cannot be fetched (Invalid IPv6 URL); check the address and the network"),
    ],
)
def test_a_page_that_cannot_be_read_is_one_line(site: str, path: str, message: str) -> None:
    url = site + path
    result = run_cli("script", url)
    assert (result.code, result.err) == (1, f"error: {message.format(url=url)}\n")


def test_a_refused_connection_is_one_line() -> None:
    url = f"http://127.0.0.1:{_refused_port()}/story.html"
    result = run_cli("script", url)
    assert result.code == 1
    assert result.err.startswith(f"error: {url}: cannot be fetched (") and "refused" in result.err
    assert result.err.count("\n") == 1


def test_a_slow_page_is_given_up_at_the_deadline(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "PAGE_FETCH_TIMEOUT", 0.3)
    url = f"{site}/slow.html"
    result = run_cli("script", url)
    assert (result.code, result.err) == (1, f"error: {url}: cannot be fetched (not complete within 0.3 s); "
                                            "check the address and the network\n")  # fmt: skip


def test_episode_of_a_url_is_an_mp3_that_decodes_tagged_with_the_page_link(site: str, tmp_path: Path) -> None:
    mp3 = tmp_path / "X.mp3"
    url = f"{site}/moved"
    result = run_cli("episode", url, "--engine", "espeak", "-o", mp3)
    assert result.code == 0, result.err
    assert len(decode_mp3(mp3)) > 22050  # more than a second of audio
    assert read_id3(mp3)["WOAS"].url == f"{site}/news/harbour-ferries-return.html"
    assert (tmp_path / "X.transcript.txt").exists()


def test_episode_of_a_url_without_o_lands_in_the_current_folder_named_after_the_address(
    site: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("episode", f"{site}/news/harbour-ferries-return.html", "--engine", "espeak")
    assert result.code == 0, result.err
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "harbour-ferries-return.chapters.json", "harbour-ferries-return.mp3", "harbour-ferries-return.srt",
        "harbour-ferries-return.transcript.json", "harbour-ferries-return.transcript.txt",
        "harbour-ferries-return.vtt",
    ]  # fmt: skip
    again = run_cli("episode", f"{site}/canonical.html", "--engine", "espeak", "-o", tmp_path)
    assert again.code == 0, again.err
    assert (tmp_path / "canonical.mp3").exists()  # named after the address typed, not the canonical one


@pytest.mark.parametrize("page", ["gzip.html", "deflate.html"])
def test_a_page_is_asked_for_compressed_and_read_decompressed(site: str, page: str) -> None:
    _PageHandler.accept_encodings.clear()
    document = script_json(f"{site}/{page}")
    assert document["title"] == "Harbour ferries return after winter repairs"
    assert _PageHandler.accept_encodings == ["gzip, deflate"]


def test_a_feed_is_asked_for_compressed_and_read_decompressed(site: str) -> None:
    _PageHandler.accept_encodings.clear()
    from_server = read_feed(f"{site}/feed.xml")
    from_file = read_feed(str(COMPRESSED_FEED))
    assert [item.article.title for item in from_server.items] == [item.article.title for item in from_file.items]
    assert len(from_server.items) > 1
    assert _PageHandler.accept_encodings == ["gzip, deflate"]


@pytest.mark.parametrize("page", ["huge.html", "bomb.html"])
def test_a_30_mb_page_is_refused_with_memory_bounded_by_the_cap(site: str, page: str) -> None:
    """Both bodies are 30 MB once decoded (the bomb is 30 KB on the wire); neither is ever held whole."""
    tracemalloc.start()
    try:
        with pytest.raises(ReadError, match="larger than 4 MB"):
            loading.fetch_page(f"{site}/{page}")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * loading.MAX_ARTICLE_BYTES < HUGE_BYTES


@pytest.mark.parametrize("path", ["/新闻/北约.html", "/search?q=é"])
def test_an_address_with_non_ascii_characters_is_fetched_as_its_uri(site: str, path: str) -> None:
    document = script_json(site + path)
    assert document["title"] == "Harbour ferries return after winter repairs"
    assert document["link"] == safe_link(site + path) == site + _sent_as_uri(path)


def test_a_redirect_to_a_non_ascii_path_is_followed(site: str) -> None:
    assert script_json(f"{site}/moved-zh")["link"] == site + _sent_as_uri("/新闻/北约.html")


def test_a_redirect_to_an_international_host_goes_to_its_punycode_name() -> None:
    """urllib hands the redirect handler a ``Location`` with every non-ASCII byte percent-encoded, the
    host's too; a host is asked for by its IDNA name (no test resolves one, so the handler is called)."""
    request = urllib.request.Request("http://127.0.0.1/a.html")
    location = "http://b%C3%BCcher.example/%E6%96%B0.html"
    followed = fetch._WebOnlyRedirects().redirect_request(
        request, io.BytesIO(), 302, "Found", http.client.HTTPMessage(), location
    )
    assert followed is not None
    assert followed.full_url == "http://xn--bcher-kva.example/%E6%96%B0.html"


def _episode_cover(site: str, path: str, tmp_path: Path) -> tuple[bytes, list[str]]:
    mp3 = tmp_path / "X.mp3"
    result = run_cli("episode", site + path, "--engine", "espeak", "-o", mp3)
    assert result.code == 0, result.err
    assert len(decode_mp3(mp3)) > 22050
    warned = [line for line in result.err.splitlines() if line.startswith("warning:")]
    return bytes(read_id3(mp3).getall("APIC")[0].data), warned


def test_a_page_and_its_lead_image_at_non_ascii_addresses_make_an_episode_with_that_cover(
    site: str, tmp_path: Path
) -> None:
    cover, warned = _episode_cover(site, "/新闻/图片报道.html", tmp_path)
    assert warned == []
    with Image.open(io.BytesIO(cover)) as image:
        assert image.size == (1400, 1400)  # the 600×400 picture, squared into Apple's sizes
        assert_padded(image.convert("RGB"), (600, 400))


def test_a_lead_image_whose_download_fails_unexpectedly_is_a_warning_and_the_bundled_cover(
    site: str, tmp_path: Path
) -> None:
    cover, warned = _episode_cover(site, "/bad-picture.html", tmp_path)
    assert cover == default_cover()
    assert warned == [
        f"warning: cover image {site}/to-bad-host.jpg: cannot be fetched (Invalid IPv6 URL); "
        "check the address and the network; using the default cover"
    ]
