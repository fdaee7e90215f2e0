"""Feed sources and definitions, without audio: RSS/Atom entries → articles, TOML → FeedConfig."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from audiocast.errors import ProfileError, ReadError
from audiocast.feedbuild import load_feed_config
from audiocast.feedbuild.sources import read_items
from audiocast.sources.feed import parse_feed, read_feed

from .conftest import run_cli
from .feed_helpers import ARTICLES, ATOM, FEED_DATA, copy_articles, write_definition
from .http_helpers import QuietHandler, serving

RSS = FEED_DATA / "rss-content.xml"


def test_atom_entries_read_their_archive_html_without_page_chrome() -> None:
    read = read_feed(str(ATOM))
    assert [item.article.title for item in read.items] == [
        "Harbour ferries return after winter repairs",
        "图书馆延长晚间开放时间",
        "New bicycle lanes open along the river",
    ]
    ferries = read.items[0].article
    texts = [block.text for block in ferries.blocks]
    assert [block.kind for block in ferries.blocks] == ["figure", "paragraph", "paragraph", "heading", "paragraph"]
    assert not any("Share" in text or "Related" in text or "©" in text for text in texts)
    assert ferries.author == "Sam Porter"
    assert ferries.published == dt.datetime(2024, 6, 1, 10, tzinfo=dt.UTC)
    assert read.items[1].article.language == "zh-CN"
    assert not any("版权所有" in block.text for block in read.items[1].article.blocks)


def test_entry_keys_are_the_entry_ids() -> None:
    keys = [item.key for item in read_feed(str(ATOM)).items]
    assert keys == [
        "tag:news.example.org,2024:ferries",
        "tag:news.example.org,2024:library-zh",
        "tag:news.example.org,2024:bicycles",
    ]


def test_a_huge_author_is_cut_before_feedparser_searches_it_for_an_address() -> None:
    """feedparser's e-mail search is quadratic (its issue #562): an 80,000-character author took 33 s.
    Reading a feed cuts authors first, so an address past the cut is never searched for (and the
    name, far too long to be one, is not read)."""
    author = "a.b-" * 5_000 + " jane@example.org"
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>t</title>'
        f"<link>https://x.org/a</link><author>{author}</author>"
        "<description>The harbor reopened on Tuesday after a long closure, officials said.</description>"
        "</item></channel></rss>"
    ).encode()
    [item] = parse_feed(feed, "hostile.xml").items
    [entry] = feedparser.parse(feed).entries  # the same parser, as parse_feed left it
    assert item.article.author == "" and "email" not in entry.get("author_detail", {})


def test_nonsense_date_falls_back_to_the_feed_date_and_placeholder_authors_are_dropped() -> None:
    library, bicycles = read_feed(str(ATOM)).items[1:]
    assert library.article.published == dt.datetime(2024, 6, 10, 8, tzinfo=dt.UTC)  # the feed's <updated>
    assert library.article.author == ""  # "admin"
    assert bicycles.article.published == dt.datetime(2024, 6, 3, 8, 15, tzinfo=dt.UTC)  # <updated>
    assert bicycles.article.author == ""  # "noreply@example.org (Unknown)"


def test_rss_prefers_content_encoded_and_skips_entries_with_no_text() -> None:
    now = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
    read = parse_feed(RSS.read_bytes(), str(RSS), now=now)
    bakery, undated, broken = read.items
    assert bakery.article.title == "Tom & Jerry open a bakery"
    assert "teaser" not in " ".join(block.text for block in bakery.article.blocks)
    assert bakery.article.author == "Li Wei"
    assert bakery.article.published == dt.datetime(2024, 6, 5, 5, tzinfo=dt.UTC)
    assert undated.article.published == now and broken.article.published == now
    assert not undated.article.dated and not broken.article.dated  # spoken without a made-up date
    assert len(read.skipped) == 1 and "entry 4" in read.skipped[0]


def test_content_hash_changes_only_with_the_entry() -> None:
    first = read_feed(str(ATOM)).items
    again = read_feed(str(ATOM)).items
    assert [item.content_hash for item in first] == [item.content_hash for item in again]
    edited = ATOM.read_bytes().replace(b"every twenty minutes", b"every fifteen minutes")
    changed = parse_feed(edited, "edited").items
    assert changed[0].content_hash != first[0].content_hash
    assert [item.content_hash for item in changed[1:]] == [item.content_hash for item in first[1:]]


class _FeedHandler(QuietHandler):
    body = ATOM.read_bytes()

    def do_GET(self) -> None:
        if self.path in {"/drip-body.xml", "/drip-headers.xml"}:
            self._drip(headers=self.path == "/drip-headers.xml")
            return
        if self.path.startswith(("/loop.xml", "/chain/")):
            self._redirect()
            return
        if self.path == "/slow.xml":
            threading.Event().wait(2)
        self.send_response(200 if self.path != "/missing.xml" else 404)
        self.send_header("Content-Type", "application/atom+xml")
        self.end_headers()
        self.wfile.write(self.body)

    def _drip(self, *, headers: bool) -> None:
        """One byte every 20 ms for 3 s: every read is quick, the whole download is not."""
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\nX-Padding: " + b"." * 40 + b"\r\n\r\n"
        dripped = (head + self.body)[:150] if headers else self.body[:150]
        try:
            if not headers:
                self.wfile.write(head)
            for index in range(len(dripped)):
                self.wfile.write(dripped[index : index + 1])
                time.sleep(0.02)
        except OSError:
            pass  # the client gave up, as it should

    def _redirect(self) -> None:
        """``/loop.xml`` redirects to itself; ``/chain/N`` to ``/chain/N+1``, forever."""
        chained = self.path.startswith("/chain/")
        self.send_response(302)
        self.send_header("Location", f"/chain/{int(self.path.rsplit('/', 1)[1]) + 1}" if chained else self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()



@pytest.fixture
def feed_server() -> Iterator[str]:
    with serving(_FeedHandler) as url:
        yield url


def test_feed_url_is_fetched(feed_server: str) -> None:
    assert len(read_feed(f"{feed_server}/feed.xml").items) == 3


@pytest.mark.parametrize("part", ["body", "headers"])
def test_a_server_that_drips_bytes_is_given_up_at_the_timeout(feed_server: str, part: str) -> None:
    started = time.monotonic()
    with pytest.raises(ReadError, match=r"cannot be fetched \(not complete within 0.5 s\)"):
        read_feed(f"{feed_server}/drip-{part}.xml", timeout=0.5)
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("path", ["/loop.xml", "/chain/0"])
def test_a_redirect_loop_is_one_line(feed_server: str, path: str) -> None:
    url = feed_server + path
    with pytest.raises(ReadError) as raised:
        read_feed(url)
    assert str(raised.value) == f"{url}: too many redirects (the server redirects in a loop); check the address"


@pytest.mark.parametrize(
    ("path", "options", "message"),
    [
        ("/missing.xml", {}, "answered 404"),
        ("/slow.xml", {"timeout": 0.3}, "cannot be fetched"),
        ("/feed.xml", {"max_bytes": 1000}, "larger than"),
    ],
)
def test_feed_url_failures_are_one_line(feed_server: str, path: str, options: dict[str, float], message: str) -> None:
    with pytest.raises(ReadError, match=message):
        read_feed(feed_server + path, **options)  # type: ignore[arg-type]


def test_folder_source_skips_unreadable_files(tmp_path: Path) -> None:
    for article in ARTICLES.glob("*.md"):
        (tmp_path / article.name).write_bytes(article.read_bytes())
    (tmp_path / "broken.md").write_bytes(b"\x00\x01binary")
    (tmp_path / "notes.jpg").write_bytes(b"ignored")
    read = read_items(str(tmp_path), timeout=5)
    assert len(read.items) == 3
    assert len(read.skipped) == 1 and "broken.md" in read.skipped[0]
    assert {item.key for item in read.items} == {item.article.link for item in read.items}


def test_folder_source_skips_what_the_episode_command_wrote_beside_an_article(tmp_path: Path) -> None:
    folder = copy_articles(tmp_path / "articles", ARTICLES)
    story = folder / "story.txt"
    story.write_text("Ferries keep their timetable\n\nThe harbour ferries run every twenty minutes all summer.\n")
    (folder / "older.transcript.txt").write_text("A transcript whose episode was deleted.\n")
    result = run_cli("episode", story, "--engine", "espeak", "--no-fetch-cover")
    assert result.code == 0, result.err
    assert {"story.mp3", "story.transcript.txt", "story.vtt"} <= {path.name for path in folder.iterdir()}

    read = read_items(str(folder), timeout=5)
    assert sorted(Path(item.origin).name for item in read.items) == sorted(
        [*(path.name for path in ARTICLES.glob("*.md")), "story.txt"]
    )
    assert not read.skipped


# Definition errors name the file and the key, and say what to write instead.
BAD_DEFINITIONS = [
    ({"title": None}, "key 'title' is missing"),
    ({"email": "nobody"}, "key 'email' must be an e-mail address"),
    ({"title": "News\u0000 \u202eevil"}, "key 'title' holds a control or bidi-override character; remove it"),
    ({"author": "Ed\u001b[31m"}, "key 'author' holds a control or bidi-override character"),
    ({"language": "Chinese"}, "key 'language' must be a language code"),
    ({"category": "Newz"}, "key 'category': 'Newz' is not an Apple Podcasts category"),
    ({"subcategory": "Comedy Fiction"}, "key 'subcategory': 'Comedy Fiction' is not under 'News'"),
    ({"explicit": "no"}, "key 'explicit' must be true or false"),
    ({"base_url": "example.org/show"}, "key 'base_url' must be an absolute http"),
    ({"base_url": "http://127.0.0.1:99999/show/"}, "key 'base_url': port '99999' is not a number from 1 to 65535"),
    ({"base_url": "http://127.0.0.1:abc/show/"}, "key 'base_url': port 'abc' is not a number from 1 to 65535"),
    ({"link": "http://127.0.0.1:99999/"}, "key 'link': port '99999' is not a number"),
    ({"source": "no-such-folder"}, "key 'source'.*does not exist"),
    ({"engine": "festival"}, "key 'engine' must be one of auto, edge, espeak"),
    ({"keep": 0}, "key 'keep' must be a whole number"),
    ({"cover": "missing.png"}, "key 'cover'.*does not exist"),
    ({"titel": "typo"}, "unknown key 'titel'"),
    ({"profile": "klingon"}, "key 'profile': no voice profile 'klingon'; give a bundled one \\(en-US, zh-CN, zh-TW\\), a language tag"),
    ({"profile": "yo"}, "key 'profile': no voice speaks Yoruba \\(yo\\)"),
    ({"profile": "voices/missing.toml"}, "key 'profile': .*missing.toml does not exist"),
]


@pytest.mark.parametrize(("change", "message"), BAD_DEFINITIONS, ids=[m.split("'")[1] for _, m in BAD_DEFINITIONS])
def test_definition_errors_name_the_file_and_key(tmp_path: Path, change: dict[str, object], message: str) -> None:
    keys = {key: value for key, value in change.items() if value is not None}
    definition = write_definition(tmp_path, keys.pop("source", ARTICLES), **keys)  # type: ignore[arg-type]
    if None in change.values():
        text = definition.read_text().splitlines()
        definition.write_text("\n".join(line for line in text if not line.startswith("title =")))
    with pytest.raises(ProfileError, match=f"^{definition}: {message}"):
        load_feed_config(definition)


def test_definition_paths_are_relative_to_its_folder(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    definition = write_definition(tmp_path, "articles", output="out/show")
    config = load_feed_config(definition)
    assert config.source == str(tmp_path / "articles")
    assert config.output == tmp_path / "out" / "show"
    assert config.show.owner_name == "Test Newsroom" and config.show.link == "http://127.0.0.1:8000/show/"


def test_a_profile_path_is_relative_to_the_definition_not_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "slow.toml").write_text(_bundled_profile("en-US").replace('rate = "+0%"', 'rate = "-20%"'))
    definition = write_definition(tmp_path, ARTICLES, profile="voices/slow.toml")
    monkeypatch.chdir(tmp_path.parent)
    assert load_feed_config(definition).profile == str(tmp_path / "voices" / "slow.toml")
    assert load_feed_config(write_definition(tmp_path, ARTICLES, profile="zh-TW")).profile == "zh-TW"


def test_a_broken_profile_is_refused_when_the_definition_is_loaded(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text(_bundled_profile("en-US").replace("[pauses]", "[pause]"))
    definition = write_definition(tmp_path, ARTICLES, profile="broken.toml")
    broken = tmp_path / "broken.toml"
    with pytest.raises(ProfileError, match=f"^{definition}: key 'profile': {broken}: missing key \\[pauses\\]"):
        load_feed_config(definition)


def _bundled_profile(name: str) -> str:
    return (Path(__file__).resolve().parent.parent / "voices" / f"{name}.toml").read_text(encoding="utf-8")


def test_example_definition_is_valid() -> None:
    config = load_feed_config(Path(__file__).resolve().parent.parent / "feeds" / "example.toml")
    assert config.source.endswith("examples") and config.output.parts[-2:] == ("public", "example")
