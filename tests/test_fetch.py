"""Downloads (audiocast/fetch.py) against a real server on 127.0.0.1: every failure is one line."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from audiocast.errors import ReadError
from audiocast.fetch import download


class _Redirects(BaseHTTPRequestHandler):
    """``/loop`` redirects to itself; ``/chain/N`` to ``/chain/N+1``, forever."""

    def do_GET(self) -> None:
        chained = self.path.startswith("/chain/")
        location = f"/chain/{int(self.path.rsplit('/', 1)[1]) + 1}" if chained else self.path
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def redirecting_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirects)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["/loop", "/chain/0"])
def test_a_redirect_loop_is_one_line(redirecting_server: str, path: str) -> None:
    url = redirecting_server + path
    with pytest.raises(ReadError) as raised:
        download(url, timeout=5, max_bytes=1000)
    assert str(raised.value) == f"{url}: too many redirects (the server redirects in a loop); check the address"
