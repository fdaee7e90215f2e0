"""An archive's site: feed.xml and playlist.m3u8 list the newest ``keep`` episodes, while every episode
kept stays on index.html and its older pages, no page listing more than ``PAGE_SIZE``.

The rendering is proved on 120 episodes with the real page size; the build on real offline episodes
with the page size made 2 (``PAGE_SIZE`` is read when pages are cut), served by ``audiocast serve``'s
server and fetched over HTTP, rebuilt, grown by one article and shrunk.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser
import pytest

from audiocast.cli.feed import summary_lines
from audiocast.errors import ProfileError
from audiocast.feedbuild import load_feed_config
from audiocast.publish import site
from audiocast.publish.feed import render_feed
from audiocast.publish.show import INDEX_FILE, Show, ShowEpisode, episode_anchor
from audiocast.publish.site import PAGE_SIZE, page_stamp, render_page, site_pages
from audiocast.serve import make_server

from .browser import chromium_browser, needs_axe, needs_chromium, open_page  # noqa: F401 (the browser fixture)
from .feed_helpers import build, parsed, write_definition
from .test_feed_publish import EPISODE

SHOW = Show.example()
DAY = dt.datetime(2023, 1, 1, 8, tzinfo=dt.UTC)


def _episodes(count: int) -> list[ShowEpisode]:
    """``count`` episodes, one a day from DAY on."""
    return [
        dataclasses.replace(
            EPISODE, guid=f"guid-{number:05d}", title=f"Episode {number}", published=DAY + dt.timedelta(days=number)
        )
        for number in range(count)
    ]


class _Page(HTMLParser):
    """What a test needs from a page: its episodes' ids, its links, and its pages navigation."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.episodes: list[str] = []
        self.links: list[str] = []
        self.navigation: list[dict[str, str]] = []
        self.sentences = 0
        self._in_nav = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "article":
            self.episodes.append(attributes["id"])
        if tag == "nav":
            assert attributes.get("aria-label"), "the pages' navigation has a name"
            self._in_nav = True
        for name in ("href", "src"):
            if name in attributes:
                self.links.append(attributes[name])
        if tag == "a" and self._in_nav:
            self.navigation.append(attributes)
        if tag == "span" and "data-start" in attributes:
            self.sentences += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_nav = False


def _rendered(episodes: list[ShowEpisode]) -> dict[str, _Page]:
    pages = site_pages(episodes)
    return {page.file: _Page(render_page(SHOW, pages, number)) for number, page in enumerate(pages)}


def test_every_episode_is_on_exactly_one_page_of_at_most_page_size_and_the_pages_link_up() -> None:
    episodes = _episodes(2 * PAGE_SIZE + 20)
    rendered = _rendered(episodes)
    assert list(rendered) == [INDEX_FILE, "page-2.html", "page-1.html"]
    assert all(len(page.episodes) <= PAGE_SIZE for page in rendered.values())
    listed = [anchor for page in rendered.values() for anchor in page.episodes]
    assert sorted(listed) == sorted(episode_anchor(episode.guid) for episode in episodes)
    newest = sorted(episodes, key=lambda episode: episode.published, reverse=True)
    assert rendered[INDEX_FILE].episodes == [episode_anchor(episode.guid) for episode in newest[:PAGE_SIZE]]
    assert rendered["page-1.html"].episodes[-1] == episode_anchor(episodes[0].guid)  # the oldest, on page 1
    order = list(rendered)
    for position, (name, page) in enumerate(rendered.items()):
        [current] = [link for link in page.navigation if "aria-current" in link]
        assert current["href"] == name and current["aria-current"] == "page"
        relations = {link["rel"]: link["href"] for link in page.navigation if link.get("rel")}
        assert relations.get("prev") == (order[position - 1] if position else None)
        assert relations.get("next") == (order[position + 1] if position + 1 < len(order) else None)
        assert {link["href"] for link in page.navigation} <= set(order)
    assert {link["href"] for link in rendered[INDEX_FILE].navigation} == set(order)  # the index reaches every page


def test_an_older_page_of_a_right_to_left_show_is_right_to_left_with_the_words_in_its_language() -> None:
    pages = site_pages(_episodes(PAGE_SIZE + 1))
    older = render_page(dataclasses.replace(SHOW, language="ar"), pages, 1)
    assert '<html lang="ar" dir="rtl">' in older
    assert 'aria-label="الصفحات"' in older and 'rel="prev">حلقات أحدث</a>' in older


def test_a_new_episode_changes_only_the_index_and_the_newest_older_page() -> None:
    episodes = _episodes(3 * PAGE_SIZE + 7)

    def stamps(episodes: list[ShowEpisode]) -> dict[str, str]:
        pages = site_pages(episodes)
        return {page.file: page_stamp(SHOW, pages, number, "code") for number, page in enumerate(pages)}

    before = stamps(episodes)
    after = stamps([*episodes, *_episodes(3 * PAGE_SIZE + 8)[-1:]])
    assert before.keys() == after.keys() == {INDEX_FILE, "page-1.html", "page-2.html", "page-3.html"}
    assert [name for name in before if before[name] != after[name]] == [INDEX_FILE, "page-3.html"]
    assert stamps(episodes) == before
    with_transcript = [dataclasses.replace(episodes[0], transcript="Words."), *episodes[1:]]
    assert stamps(with_transcript) == before, "the stamp is taken without reading transcripts"
    made_again = [dataclasses.replace(episodes[0], sidecars={"txt": "episodes/new.transcript.txt"}), *episodes[1:]]
    assert stamps(made_again)["page-1.html"] != before["page-1.html"]


def test_a_feed_item_without_an_article_link_points_at_the_page_that_lists_it() -> None:
    episode = dataclasses.replace(EPISODE, link="", page="page-3.html")
    [item] = feedparser.parse(render_feed(SHOW, [episode])).entries
    assert item.link == f"{SHOW.base_url}page-3.html#{episode_anchor(episode.guid)}"


def _article(folder: Path, number: int) -> None:
    day = DAY + dt.timedelta(days=number)
    (folder / f"note-{number:02d}.md").write_text(
        f"<!--{int(day.timestamp() * 1000)}-->\n[Harbour note {number}](https://example.org/notes/{number})\n"
        f"---\n<div><i>{day:%a, %d %b %Y %H:%M:%S} GMT</i></div>\n"
        f"<p>The ferry left on time today. Note {number} ends here.</p>\n",
        encoding="utf-8",
    )


@dataclasses.dataclass
class Archive:
    folder: Path
    articles: Path

    @property
    def output(self) -> Path:
        return self.folder / "public" / "show"

    def build(self, **keys: Any) -> Any:
        definition = write_definition(self.folder, self.articles, **{"keep": 3, "keep_on_site": "all", **keys})
        return build(definition, self.folder / "cache")

    def files(self) -> dict[str, tuple[int, bytes]]:
        """Every published file by name, with its inode (a rewrite renames a new file into place)."""
        return {
            path.relative_to(self.output).as_posix(): (path.stat().st_ino, path.read_bytes())
            for path in sorted(self.output.rglob("*"))
            if path.is_file() and not path.name.startswith(".")
        }


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    """Seven real offline episodes, a feed of the newest three, and pages of two."""
    articles = tmp_path / "articles"
    articles.mkdir()
    for number in range(7):
        _article(articles, number)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(site, "PAGE_SIZE", 2)
        yield Archive(tmp_path, articles)


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as answer:  # 127.0.0.1 only
        data: bytes = answer.read()
        return data


def test_feed_holds_the_newest_keep_while_every_page_is_served_and_links_resolve(archive: Archive) -> None:
    report = archive.build()
    assert (report.episodes, report.on_site, report.failed) == (3, 7, ())
    assert "Added 7, re-made 0, removed 0, kept 0: 3 episodes in the feed, 7 on the site." in summary_lines(report)
    with_feedparser, with_podcastparser = parsed(report.feed_file)
    assert [entry.title for entry in with_feedparser.entries] == [f"Harbour note {n}" for n in (6, 5, 4)]
    assert len(with_podcastparser["episodes"]) == 3
    playlist = (archive.output / "playlist.m3u8").read_text(encoding="utf-8")
    assert playlist.count("#EXTINF") == 3
    pages = {INDEX_FILE: 2, "page-3.html": 1, "page-2.html": 2, "page-1.html": 2}
    assert sorted(path.name for path in archive.output.glob("*.html")) == sorted(pages)

    with make_server(archive.folder / "public", port=0) as server:
        server.start()
        base = f"{server.url}show/"
        seen: list[str] = []
        for name, count in pages.items():
            page = _Page(_fetch(base + name).decode("utf-8"))
            assert len(page.episodes) == count, name
            assert page.sentences >= 2 * count, f"{name}: every transcript reads along"
            seen += page.episodes
            for link in page.links:
                if not urllib.parse.urlsplit(link).scheme:  # the article links are on example.org
                    assert _fetch(urllib.parse.urljoin(base + name, link)), f"{name}: {link}"
    assert len(seen) == len(set(seen)) == 7


def test_a_rebuild_is_byte_identical_a_new_article_rewrites_two_pages_and_a_smaller_site_drops_pages(
    archive: Archive,
) -> None:
    archive.build()
    first = archive.files()
    archive.build()
    assert archive.files() == first, "nothing changed, nothing rewritten"

    _article(archive.articles, 7)
    report = archive.build()
    assert report.plan.add and (report.episodes, report.on_site) == (3, 8)
    grown = archive.files()
    rewritten = {name for name, (inode, _) in grown.items() if name.endswith(".html") and name in first
                 and first[name][0] != inode}  # fmt: skip
    assert rewritten == {INDEX_FILE, "page-3.html"}
    assert "page-4.html" not in grown  # page 3 had room for one more

    (archive.articles / "note-00.md").unlink()  # an article the source no longer lists stays on the site
    report = archive.build()
    assert (report.on_site, report.plan.remove) == (8, ()) and archive.files() == grown

    report = archive.build(keep_on_site=4)
    assert (report.episodes, report.on_site, len(report.plan.remove)) == (3, 4, 4)
    shrunk = archive.files()
    assert sorted(name for name in shrunk if name.endswith(".html")) == [INDEX_FILE, "page-1.html"]
    assert len([name for name in shrunk if name.endswith(".mp3")]) == 4
    assert [len(_Page(shrunk[name][1].decode("utf-8")).episodes) for name in (INDEX_FILE, "page-1.html")] == [2, 2]


def test_keep_on_site_is_checked(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, tmp_path, keep=10, keep_on_site=5)
    with pytest.raises(ProfileError, match="'keep_on_site' \\(5\\) is less than keep \\(10\\)"):
        load_feed_config(definition)
    definition = write_definition(tmp_path, tmp_path, keep_on_site="some")
    with pytest.raises(ProfileError, match='whole number \\(at least keep\\) or "all"'):
        load_feed_config(definition)
    assert load_feed_config(write_definition(tmp_path, tmp_path, keep_on_site="all")).on_site is None
    assert load_feed_config(write_definition(tmp_path, tmp_path, keep=7)).on_site == 7


async def _axe(devtools_url: str, url: str) -> dict[str, Any]:
    async with open_page(devtools_url, url) as tools:
        return {"violations": await tools.axe_violations(), "problems": tools.problems()}


@needs_chromium
@needs_axe
def test_axe_core_finds_no_wcag_2_2_aa_violation_on_an_older_page(archive: Archive, browser: str) -> None:
    archive.build()
    with make_server(archive.folder / "public", port=0) as server:
        server.start()
        result = asyncio.run(_axe(browser, f"{server.url}show/page-2.html"))
    assert result == {"violations": [], "problems": []}, json.dumps(result, indent=1)
