"""``audiocast feed add FEED.toml URL…``: article pages served on 127.0.0.1 listed in a ``.urls``
source, each build reading aloud only what is new."""

from __future__ import annotations

import contextlib
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import run_cli
from .feed_helpers import ARTICLES, episode_files, parsed, write_definition
from .http_helpers import QuietHandler, serving

PAGE = """<html><head><title>{title}</title><meta property="article:published_time" content="{date}"></head>
<body><article><h1>{title}</h1><p>{body}</p></article></body></html>"""
PAGES = {
    "/news/ferries.html": PAGE.format(
        title="Harbour ferries return after winter repairs",
        date="2024-03-05T08:00:00Z",
        body="The harbour ferries returned to service on Tuesday after three months of repairs, the city said.",
    ),
    "/news/library.html": PAGE.format(
        title="Library opens its doors later on Sundays",
        date="2024-03-06T08:00:00Z",
        body="The city library will open two hours later on Sundays from next month, its director said.",
    ),
    urllib.parse.quote("/新闻/北约.html"): PAGE.format(
        title="Foreign ministers meet in Brussels",
        date="2024-03-07T08:00:00Z",
        body="The alliance's foreign ministers met in Brussels on Thursday to talk about the coming summit.",
    ),
}
BAD_REDIRECT = "/news/bad-redirect.html"
"""Redirects to an address no URL parser takes (an IPv6 host never closed)."""


class _Pages(QuietHandler):
    def do_GET(self) -> None:
        if self.path == BAD_REDIRECT:
            self.send_response(302)
            self.send_header("Location", "http://[bad/story.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        page = PAGES.get(self.path)
        body = (page or "<html><body><p>Not found</p></body></html>").encode()
        self.send_response(200 if page else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)


@pytest.fixture
def site() -> Iterator[str]:
    with serving(_Pages) as base:
        yield base


def _titles(output: Path) -> list[str]:
    with_feedparser, with_podcastparser = parsed(output / "feed.xml")
    titles = sorted(entry.title for entry in with_feedparser.entries)
    assert titles == sorted(episode["title"] for episode in with_podcastparser["episodes"])
    return titles


def test_feed_add_lists_each_url_once_and_makes_only_the_new_episode(tmp_path: Path, site: str) -> None:
    definition = write_definition(tmp_path, "later.urls")
    output = tmp_path / "public" / "show"

    first = run_cli("feed", "add", definition, f"{site}/news/ferries.html", "--engine", "espeak")
    assert first.code == 0, first.err
    assert (tmp_path / "later.urls").read_text() == f"{site}/news/ferries.html\n"
    assert "Listed 1 new URL in " in first.out
    assert _titles(output) == ["Harbour ferries return after winter repairs"]
    made_first = episode_files(output)

    second = run_cli("feed", "add", definition, f"{site}/news/library.html", "--engine", "espeak")
    assert second.code == 0, second.err
    assert "Added 1, re-made 0, removed 0, kept 1" in second.out
    assert _titles(output) == [
        "Harbour ferries return after winter repairs",
        "Library opens its doors later on Sundays",
    ]
    made_second = episode_files(output)
    assert {name: made_second[name] for name in made_first} == made_first

    ferries = f"{site}/news/ferries.html"
    again = run_cli("feed", "add", definition, ferries, ferries, "--engine", "espeak")
    assert again.code == 0, again.err
    assert f"Listed 0 new URLs in {tmp_path / 'later.urls'} (1 already there)." in again.out
    assert "Added 0, re-made 0, removed 0, kept 2" in again.out
    assert (tmp_path / "later.urls").read_text().splitlines() == [
        f"{site}/news/ferries.html",
        f"{site}/news/library.html",
    ]
    assert episode_files(output) == made_second


def test_comments_and_blank_lines_in_the_list_are_ignored_and_kept(tmp_path: Path, site: str) -> None:
    urls = tmp_path / "later.urls"
    urls.write_text(f"# read later\n\n  {site}/news/ferries.html  \n# done")
    result = run_cli("feed", "add", write_definition(tmp_path, "later.urls"), f"{site}/news/library.html")
    assert result.code == 0, result.err
    assert urls.read_text() == f"# read later\n\n  {site}/news/ferries.html  \n# done\n{site}/news/library.html\n"
    assert len(_titles(tmp_path / "public" / "show")) == 2


def test_a_page_that_cannot_be_fetched_is_skipped_with_a_warning_and_the_others_built(
    tmp_path: Path, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    definition = write_definition(tmp_path, "later.urls")
    missing = f"{site}/news/gone.html"
    result = run_cli("feed", "add", definition, missing, f"{site}/news/library.html", "--engine", "espeak")
    assert result.code == 0, result.err
    assert [line for line in result.err.splitlines() if missing in line] == [
        f"warning: skipped: {missing}: the server answered 404 Not Found; check the address"
    ]
    assert _titles(tmp_path / "public" / "show") == ["Library opens its doors later on Sundays"]
    assert (tmp_path / "later.urls").read_text().splitlines() == [missing, f"{site}/news/library.html"]

    monkeypatch.setitem(PAGES, "/news/gone.html", PAGES["/news/ferries.html"])
    retried = run_cli("feed", "build", definition)
    assert retried.code == 0, retried.err
    assert "Added 1, re-made 0, removed 0, kept 1" in retried.out
    assert len(_titles(tmp_path / "public" / "show")) == 2


def test_an_undated_page_whose_ads_change_is_not_made_again(
    tmp_path: Path, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    undated = "<html><head><title>Bus lanes</title></head><body>{ad}<article><h1>Bus lanes open on Main Street</h1>"
    undated += "<p>Two new bus lanes opened on Main Street on Monday, cutting the trip across town by ten minutes.</p>"
    undated += "</article></body></html>"
    monkeypatch.setitem(PAGES, "/news/bus.html", undated.format(ad='<script>var ad = "first";</script>'))
    definition = write_definition(tmp_path, "later.urls")
    first = run_cli("feed", "add", definition, f"{site}/news/bus.html")
    assert first.code == 0, first.err
    made = episode_files(tmp_path / "public" / "show")

    monkeypatch.setitem(PAGES, "/news/bus.html", undated.format(ad='<script>var ad = "second";</script>'))
    again = run_cli("feed", "build", definition)
    assert again.code == 0, again.err
    assert "Added 0, re-made 0, removed 0, kept 1" in again.out
    assert episode_files(tmp_path / "public" / "show") == made


def test_a_url_list_that_does_not_exist_yet_is_one_error_for_feed_build(tmp_path: Path) -> None:
    result = run_cli("feed", "build", write_definition(tmp_path, "later.urls"))
    assert result.code == 1
    assert result.err == (
        f"error: {tmp_path / 'later.urls'}: no such URL list; add addresses with: audiocast feed add FEED.toml URL\n"
    )


def test_a_line_that_is_not_a_url_is_one_error_naming_the_file_and_line(tmp_path: Path, site: str) -> None:
    urls = tmp_path / "later.urls"
    urls.write_text(f"# read later\n\n{site}/news/ferries.html\nnews/library.html\n")
    result = run_cli("feed", "build", write_definition(tmp_path, "later.urls"))
    assert result.code == 1
    assert result.err == (
        f"error: {urls}:4: 'news/library.html' is not an http(s) address; write one URL per line, # for comments\n"
    )
    assert not (tmp_path / "public" / "show" / "feed.xml").exists()


def test_feed_add_refuses_a_definition_whose_source_is_not_a_url_list(tmp_path: Path, site: str) -> None:
    definition = write_definition(tmp_path, ARTICLES)
    result = run_cli("feed", "add", definition, f"{site}/news/ferries.html")
    assert result.code == 1
    assert result.err == (
        f"error: {definition}: its source {ARTICLES} is not a .urls list of article addresses; "
        'set source to a file such as "articles.urls" to add URLs\n'
    )
    assert not (tmp_path / "public").exists()


def test_feed_add_refuses_an_argument_that_is_not_a_url_before_touching_the_list(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, "later.urls")
    result = run_cli("feed", "add", definition, "news/ferries.html")
    assert result.code == 2
    assert "'news/ferries.html' is not an http(s) address" in result.err
    assert len(result.err.splitlines()) == 1
    assert not (tmp_path / "later.urls").exists()


def test_an_address_with_non_ascii_characters_is_built_with_the_others_and_listed_once(
    tmp_path: Path, site: str
) -> None:
    definition = write_definition(tmp_path, "later.urls")
    chinese = f"{site}/新闻/北约.html"
    first = run_cli("feed", "add", definition, chinese, f"{site}/news/ferries.html", "--engine", "espeak")
    assert first.code == 0, first.err
    assert _titles(tmp_path / "public" / "show") == [
        "Foreign ministers meet in Brussels",
        "Harbour ferries return after winter repairs",
    ]
    assert "Added 0, re-made 0, removed 0, kept 2" in run_cli("feed", "build", definition).out

    encoded = site + urllib.parse.quote("/新闻/北约.html")
    again = run_cli("feed", "add", definition, encoded, "--engine", "espeak")
    assert again.code == 0, again.err
    assert "Listed 0 new URLs in " in again.out and "(1 already there)" in again.out
    assert (tmp_path / "later.urls").read_text(encoding="utf-8").splitlines() == [chinese, f"{site}/news/ferries.html"]


def test_a_page_whose_download_fails_in_an_unexpected_way_is_one_warning_and_the_others_built(
    tmp_path: Path, site: str
) -> None:
    bad = site + BAD_REDIRECT
    result = run_cli("feed", "add", write_definition(tmp_path, "later.urls"), bad, f"{site}/news/library.html")
    assert result.code == 0, result.err
    assert [line for line in result.err.splitlines() if bad in line] == [
        f"warning: skipped: {bad}: cannot be fetched (Invalid IPv6 URL); check the address and the network"
    ]
    assert _titles(tmp_path / "public" / "show") == ["Library opens its doors later on Sundays"]


def test_a_bom_a_comment_after_an_address_and_a_fragment_are_read_as_a_person_means_them(
    tmp_path: Path, site: str
) -> None:
    urls = tmp_path / "later.urls"
    listed = f"\ufeff{site}/news/ferries.html   # German, from the Tuesday paper\n{site}/news/library.html#top\n"
    urls.write_text(listed, encoding="utf-8")  # a BOM first, as Notepad saves UTF-8
    definition = write_definition(tmp_path, "later.urls")
    result = run_cli("feed", "build", definition)
    assert result.code == 0, result.err
    assert _titles(tmp_path / "public" / "show") == [
        "Harbour ferries return after winter repairs",
        "Library opens its doors later on Sundays",
    ]
    again = run_cli("feed", "add", definition, f"{site}/news/ferries.html")
    assert "Listed 0 new URLs in " in again.out and "(1 already there)" in again.out
    assert urls.read_text(encoding="utf-8") == listed


@pytest.mark.parametrize("spaced", ["/news/a b.html", "/news/ferries.html /news/b.html"])
def test_an_address_with_a_space_inside_stops_the_build_with_one_error_naming_the_file_and_line(
    tmp_path: Path, site: str, spaced: str
) -> None:
    urls = tmp_path / "later.urls"
    address = spaced.replace(" /news/b", f" {site}/news/b")
    urls.write_text(f"{site}/news/ferries.html\n{site}{address}\n")
    result = run_cli("feed", "build", write_definition(tmp_path, "later.urls"))
    assert result.code == 1
    assert result.err == (
        f"error: {urls}:2: '{site}{address}' has a space or an invisible character in it (write a space as %20); "
        "write one URL per line, # for comments\n"
    )
    assert not (tmp_path / "public" / "show" / "feed.xml").exists()


@pytest.mark.parametrize("spaced", ["/news/a b.html", "/news/a.html # note", "/news/a\nhttp://x.org/b.html"])
def test_feed_add_refuses_an_address_with_a_space_inside_before_touching_the_list(
    tmp_path: Path, site: str, spaced: str
) -> None:
    definition = write_definition(tmp_path, "later.urls")
    result = run_cli("feed", "add", definition, site + spaced)
    assert result.code == 2
    assert f"{site + spaced!r} has a space or an invisible character in it (write a space as %20)" in result.err
    assert len(result.err.splitlines()) == 1
    assert not (tmp_path / "later.urls").exists()
