"""Hostile and odd feed entries, built with the CLI on the offline voice and read back with real
readers (feedparser, podcastparser, lxml's HTML parser, mutagen): a ``javascript:`` link never
reaches a page, a Chinese link is written as its URI, control characters never reach feed.xml, a
poisoned state file does not brick the feed, and one failing article does not block the others."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import lxml.html

from .conftest import CliResult, read_id3, run_cli
from .fake_edge import FakeEdge, fake_edge
from .feed_helpers import parsed, state_records, write_definition

__all__ = ["fake_edge"]  # the fixture, used by name

JAVASCRIPT = "javascript:alert(document.domain)"
CHINESE_LINK = "https://zh.example.org/新闻/2023/北约.html"
CHINESE_URI = "https://zh.example.org/%E6%96%B0%E9%97%BB/2023/%E5%8C%97%E7%BA%A6.html"
CONTROL_TITLE = "Breaking\x00 news\x1b[31m\x0cnow \u202eevil\u202c"


def entry(title: str, link: str, body: str, day: int = 1) -> str:
    """An RSS item; ``title`` goes in raw, so control characters reach the file as bytes."""
    return (
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link><guid>{escape(link or title)}</guid>"
        f"<pubDate>Mon, {day:02d} Jul 2024 10:00:00 GMT</pubDate>"
        f"<description>{escape(body)}</description></item>"
    )


def build_feed_of(folder: Path, *items: str, engine: str = "espeak", **keys: Any) -> CliResult:
    """Write an RSS file of ``items`` and build it with the CLI, on the offline voice by default."""
    rss = folder / "feed.rss"
    channel = "<title>Hostile</title><link>https://example.org/</link><description>d</description>"
    rss.write_bytes(f'<?xml version="1.0"?><rss version="2.0"><channel>{channel}{"".join(items)}</channel></rss>'.encode())
    definition = write_definition(folder, rss, **keys)
    return run_cli("feed", "build", definition, "--engine", engine, "--jobs", "1")


def output_of(folder: Path) -> Path:
    return folder / "public" / "show"


def written_text(output: Path) -> str:
    """Everything the build wrote that a reader or browser sees, as one string."""
    files = [output / "feed.xml", output / "index.html", *sorted((output / "episodes").glob("*[!3]"))]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def page_links(output: Path) -> list[str]:
    page = lxml.html.fromstring((output / "index.html").read_bytes())
    return [str(value) for value in page.xpath("//@href | //@src")]


def woas(mp3: Path) -> list[str]:
    return [str(frame.url) for frame in read_id3(mp3).getall("WOAS")]


def test_a_javascript_link_is_never_written_and_is_warned_about_once(tmp_path: Path) -> None:
    result = build_feed_of(tmp_path, entry("Click me", JAVASCRIPT, "<p>A story whose link runs a script.</p>"))

    assert result.code == 0, result.err
    assert len(re.findall(r"warning: .*link 'javascript:alert\(document\.domain\)' is not an http\(s\)", result.err)) == 1
    output = output_of(tmp_path)
    assert "javascript" not in written_text(output).lower()
    assert all(not link.lower().startswith("javascript") for link in page_links(output))
    with_feedparser, with_podcastparser = parsed(output / "feed.xml")
    episode_page = with_feedparser.entries[0].link  # the show's own page stands in for the article
    assert episode_page.startswith("http://127.0.0.1:8000/show/index.html#ep-")
    assert "javascript" not in json.dumps(with_podcastparser).lower()
    assert woas(next((output / "episodes").glob("*.mp3"))) == []


def test_a_chinese_link_is_written_as_its_uri_everywhere_and_in_the_id3_tag(tmp_path: Path) -> None:
    result = build_feed_of(tmp_path, entry("NATO ministers meet", CHINESE_LINK, "<p>Ministers met in Brussels.</p>"))

    assert result.code == 0, result.err
    output = output_of(tmp_path)
    assert woas(next((output / "episodes").glob("*.mp3"))) == [CHINESE_URI]
    with_feedparser, with_podcastparser = parsed(output / "feed.xml")
    assert with_feedparser.entries[0].link == CHINESE_URI
    assert f'href="{CHINESE_URI}"' in with_podcastparser["episodes"][0]["description_html"]
    assert CHINESE_URI in page_links(output)


def test_control_characters_in_a_title_never_reach_the_feed(tmp_path: Path) -> None:
    result = build_feed_of(tmp_path, entry(CONTROL_TITLE, "https://example.org/a", "<p>Plain words follow.</p>"))

    assert result.code == 0, result.err
    output = output_of(tmp_path)
    with_feedparser, with_podcastparser = parsed(output / "feed.xml")
    clean = "Breaking news[31m now evil"
    assert with_feedparser.entries[0].title == with_podcastparser["episodes"][0]["title"] == clean
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e]", written_text(output))
    assert lxml.html.fromstring((output / "index.html").read_bytes()).xpath("string(//article//h3)") == clean


def test_a_poisoned_state_record_is_dropped_with_a_warning_and_the_feed_recovers(tmp_path: Path) -> None:
    items = (entry("First story", "https://example.org/1", "<p>One.</p>", 1),
             entry("Second story", "https://example.org/2", "<p>Two.</p>", 2))  # fmt: skip
    assert build_feed_of(tmp_path, *items).code == 0
    with state_records(output_of(tmp_path)) as records:
        first = next(record for record in records if record["title"] == "First story")
        outside = {**first, "key": "escape", "file": "../../outside.mp3"}
        scheme = {**first, "key": "scheme", "sidecars": {"vtt": "javascript:alert(1)"}}
        first["title"] = "First\x00 story\x1b"  # what an older version recorded and then could not publish
        first["link"] = JAVASCRIPT
        records += [{"key": "gone", "title": "Half a record"}, outside, scheme]  # fields missing; bad files

    result = build_feed_of(tmp_path, *items)

    assert result.code == 0, result.err
    dropped = re.findall(r"warning: .*: episode (.*) cannot be published", result.err)
    assert dropped == [repr("First\x00 story\x1b"), repr("Half a record"), repr("First story"), repr("First story")]
    assert "Added 1, re-made 0, removed 0, kept 1: 2 episodes in the feed." in result.out  # made again, clean
    with_feedparser, _ = parsed(output_of(tmp_path) / "feed.xml")
    assert sorted(entry.title for entry in with_feedparser.entries) == ["First story", "Second story"]
    assert "javascript" not in written_text(output_of(tmp_path)).lower()


def test_one_failing_article_is_reported_and_skipped_and_the_next_build_tries_it_again(
    tmp_path: Path, fake_edge: FakeEdge
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for day, name in enumerate(("Owls return to the old mill", "Tram line gets new stops", "Bakery wins prize"), 1):
        slug = name.lower().replace(" ", "-")
        (folder / f"{slug}.md").write_text(
            f"<!--17195000{day:02d}000-->\n[{name}](https://example.org/{slug})\n------\n"
            f"<div><i>Mon, {day:02d} Jul 2024 10:00:00 GMT</i></div><p>{name}, said a unique test sentence {day}.</p>\n",
            encoding="utf-8",
        )
    definition = write_definition(tmp_path, folder, engine="edge")
    fake_edge.script("404")  # the first request of the build fails for good (not worth a retry)

    result = run_cli("feed", "build", definition, "--jobs", "1")

    assert result.code == 1
    failed = re.findall(r"warning: failed: (\S+): '([^']+)': .*HTTP 404.*; skipped, the next build tries it again", result.err)
    assert len(failed) == 1
    origin, title = failed[0]
    assert origin == str(folder / f"{title.lower().replace(' ', '-')}.md")
    assert result.err.strip().endswith(
        "error: 1 of 3 articles failed (listed above); the others are published, and the next build tries again"
    )
    assert "Failed 1 article (the next build tries again):" in result.out and title in result.out
    assert "Added 2, re-made 0, removed 0, kept 0: 2 episodes in the feed." in result.out  # not the failed one
    with_feedparser, with_podcastparser = parsed(output_of(tmp_path) / "feed.xml")
    assert len(with_podcastparser["episodes"]) == 2 and title not in {e.title for e in with_feedparser.entries}

    again = run_cli("feed", "build", definition, "--jobs", "1")

    assert again.code == 0, again.err
    assert "Added 1, re-made 0, removed 0, kept 2: 3 episodes in the feed." in again.out
    assert title in {e.title for e in parsed(output_of(tmp_path) / "feed.xml")[0].entries}


def test_the_voice_failing_article_after_article_still_stops_the_build(tmp_path: Path, fake_edge: FakeEdge) -> None:
    items = [entry(f"Story {n}", f"https://example.org/{n}", f"<p>Words of story number {n}.</p>", n) for n in range(1, 5)]
    fake_edge.script("404", "404", "404")

    stopped = build_feed_of(tmp_path, *items, engine="edge")

    assert stopped.code == 1
    assert stopped.err.count("warning: failed: ") == 2
    assert stopped.err.strip().splitlines()[-1].endswith("; stopped: the voice failed 3 articles in a row")
    assert not (output_of(tmp_path) / "feed.xml").exists()


def test_a_failed_re_make_keeps_the_previous_episode_in_the_feed(tmp_path: Path, fake_edge: FakeEdge) -> None:
    items = [entry(f"Ferry news {n}", f"https://example.org/ferry/{n}", f"<p>Ferry timetable {n} changes.</p>", n)
             for n in range(1, 3)]  # fmt: skip
    assert build_feed_of(tmp_path, *items).code == 0  # read offline first
    before = {e.title: e.enclosures[0].href for e in parsed(output_of(tmp_path) / "feed.xml")[0].entries}
    fake_edge.script("404")

    result = build_feed_of(tmp_path, *items, engine="edge")  # both are read again by the online voice; one fails

    assert result.code == 1 and "re-made 1," in result.out and "2 episodes in the feed." in result.out  # the one made
    [title] = re.findall(r"warning: failed: \S+: '([^']+)'", result.err)
    after = {e.title: e.enclosures[0].href for e in parsed(output_of(tmp_path) / "feed.xml")[0].entries}
    assert after[title] == before[title]  # the offline episode stays until the new one is made
    assert all(after[other] != before[other] for other in after if other != title)
    assert (output_of(tmp_path) / before[title].removeprefix("http://127.0.0.1:8000/show/")).is_file()


def test_an_input_a_reader_chokes_on_is_skipped_and_the_others_are_built(tmp_path: Path) -> None:
    deep = "<html><body>" + "<b>" * 1200 + "<p>Nested far too deep.</p></body></html>"  # refused before any recursion
    items = [entry("Deep", "https://example.org/deep", deep), entry("Fine", "https://example.org/fine", "<p>Fine.</p>")]

    result = build_feed_of(tmp_path, *items)

    assert result.code == 0, result.err
    assert re.search(r"warning: skipped: .* entry 1: markup nested more than 400 elements deep; not an article\n", result.err)
    assert "Traceback" not in result.err and "Added 1, re-made 0" in result.out
    assert [e.title for e in parsed(output_of(tmp_path) / "feed.xml")[0].entries] == ["Fine"]


def test_two_articles_under_one_entry_id_are_named_not_silently_merged(tmp_path: Path) -> None:
    first = entry("First story", "https://example.org/first", "<p>The first story is about the harbor.</p>", day=1)
    second = entry("Second story", "https://example.org/second", "<p>The second story is about the bridge.</p>", day=2)
    result = build_feed_of(tmp_path, first.replace("<guid>https://example.org/first", "<guid>same-id"),
                           second.replace("<guid>https://example.org/second", "<guid>same-id"))
    assert result.code == 0, result.err
    assert re.search(r"warning: https://example.org/first and https://example.org/second give two articles one id "
                     r"\(\S*same-id\); only the newer is read\n", result.err)
