"""``audiocast feed build`` as a user runs it: options checked before anything is built, and the
closing lines (where to subscribe, how to serve) true for the folder that was written."""

from __future__ import annotations

import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from audiocast.episode import EpisodeOptions, plan
from audiocast.serve import make_server
from audiocast.sources import read_source

from .conftest import run_cli
from .feed_helpers import ARTICLES, MORE, write_definition


def test_jobs_beyond_the_synth_pool_are_refused_before_building(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, ARTICLES)
    result = run_cli("feed", "build", definition, "--jobs", "20")
    assert result.code == 2
    assert result.err == (
        "error: invalid value for '--jobs': 20 is not in the range 1<=x<=16; see 'audiocast feed build --help'\n"
    )
    assert not (tmp_path / "public").exists()


@pytest.mark.parametrize("port", ["99999", "abc", "0"])
def test_a_bad_base_url_port_is_one_error_line_before_building(tmp_path: Path, port: str) -> None:
    definition = write_definition(tmp_path, ARTICLES)
    result = run_cli("feed", "build", definition, "--base-url", f"http://127.0.0.1:{port}/x")
    assert result.code == 1
    assert result.err == f"error: --base-url: port {port!r} is not a number from 1 to 65535\n"
    assert not (tmp_path / "public").exists()


@pytest.mark.parametrize(
    ("path", "output"), [("/show/", "public/show"), ("/", "site"), ("/a/b/", "www/a/b")], ids=["one", "root", "two"]
)
def test_the_printed_serve_command_serves_the_feed_at_the_subscribe_address(
    tmp_path: Path, path: str, output: str
) -> None:
    definition = write_definition(tmp_path, MORE / "school-garden.md", base_url=f"http://127.0.0.1:8000{path}", output=output)
    result = run_cli("feed", "build", definition)
    assert result.code == 0, result.err
    subscribe = _line(result.out, "Subscribe in a podcast app: ")
    command = _line(result.out, "Serve it with: audiocast serve ")
    root, port = command.split(" --port ")
    assert subscribe == f"http://127.0.0.1:{port}{path}feed.xml"

    with make_server(Path(root), port=0) as server:
        server.start()
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy
        with direct.open(server.url.rstrip("/") + urllib.parse.urlsplit(subscribe).path) as response:
            assert response.read() == (tmp_path / output / "feed.xml").read_bytes()


def test_a_base_url_path_no_serve_root_can_match_is_a_warning_with_the_fixes(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, ARTICLES, base_url="http://127.0.0.1:8000/multi/", output="out")
    result = run_cli("feed", "build", definition, "--dry-run")
    assert result.code == 0 and "Serve it with" not in result.out
    assert result.err == (
        f"warning: audiocast serve cannot serve {tmp_path / 'out'}/ at /multi/, where base_url puts it: it serves a "
        "folder under its own name; make the output folder end in multi, or set base_url to http://127.0.0.1:8000/out/\n"
    )


def _line(output: str, prefix: str) -> str:
    [line] = [line.removeprefix(prefix) for line in output.splitlines() if line.startswith(prefix)]
    return line


def test_read_aloud_counts_only_clips_the_engine_made(tmp_path: Path) -> None:
    first = write_definition(tmp_path, ARTICLES, output="first")
    assert run_cli("feed", "build", first).code == 0  # fills the clip cache
    second = write_definition(tmp_path, ARTICLES, output="second")  # a new feed of the same articles

    result = run_cli("feed", "build", second)
    assert result.code == 0, result.err
    segments = sum(len(plan(read_source(str(path)), EpisodeOptions()).segments) for path in ARTICLES.glob("*.md"))
    assert f"Read aloud 0 clips ({segments} more from the clip cache).\n" in result.out
