"""playlist.m3u8 from offline feed builds, read back as a local player reads it; the line
``audiocast episode`` ends with.

The playlist is parsed here by its own rules (``#EXTM3U``, then ``#EXTINF:<seconds>,<title>`` and a
path per episode), and each path is opened: the MP3 it names must exist and last what ``#EXTINF``
says (mutagen), in the order of the feed's publication dates, newest first.
"""

from __future__ import annotations

import datetime as dt
import shlex
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest

from audiocast.cli.episode import how_to_play
from audiocast.publish.playlist import PLAYLIST_FILE, render_playlist
from audiocast.publish.show import ShowEpisode

from .conftest import BuiltEpisode, mp3_info, run_cli
from .feed_helpers import ARTICLES, MORE, build, copy_articles, parsed, served_build, state_records, write_definition
from .test_hostile_feed import build_feed_of, output_of
from .test_hostile_feed import entry as rss_item
from .test_serve import fetch


@dataclass(frozen=True)
class Entry:
    seconds: int
    title: str
    path: str


def read_playlist(path: Path) -> list[Entry]:
    return read_playlist_bytes(path.read_bytes())


def read_playlist_bytes(data: bytes) -> list[Entry]:
    """The entries of an extended M3U file; fails on anything a player would read differently."""
    assert not data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\n")
    lines = data.decode("utf-8").split("\n")[:-1]
    assert lines == data.decode("utf-8").splitlines(), "a line break other than LF"
    assert lines[0] == "#EXTM3U" and len(lines) % 2 == 1
    entries = []
    for info, location in zip(lines[1::2], lines[2::2], strict=True):
        seconds, title = info.removeprefix("#EXTINF:").split(",", 1)
        assert info.startswith("#EXTINF:") and not location.startswith("#")
        entries.append(Entry(int(seconds), title, location))
    return entries


def played_files(playlist: Path) -> list[Path]:
    """The files a player opens: each path relative to the playlist's folder, and inside it."""
    files = [playlist.parent / urllib.parse.unquote(entry.path) for entry in read_playlist(playlist)]
    assert all(file.is_file() and file.resolve().is_relative_to(playlist.parent.resolve()) for file in files)
    return files


def newest_first_titles(output: Path) -> list[str]:
    """Episode titles by publication date in feed.xml, newest first (feedparser's reading)."""
    entries = parsed(output / "feed.xml")[0].entries
    return [entry.title for entry in sorted(entries, key=lambda entry: entry.published_parsed, reverse=True)]


def test_the_playlist_plays_every_episode_newest_first_for_as_long_as_it_lasts(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, ARTICLES)
    result = run_cli("feed", "build", definition)
    assert result.code == 0, result.err
    output = tmp_path / "public" / "show"
    assert f"Files: {output}/ (feed.xml, index.html, {PLAYLIST_FILE}, episodes/)" in result.out.splitlines()

    entries = read_playlist(output / PLAYLIST_FILE)
    assert [entry.title for entry in entries] == newest_first_titles(output)
    assert len(entries) == 3
    for entry, file in zip(entries, played_files(output / PLAYLIST_FILE), strict=True):
        assert entry.path.startswith("episodes/") and file.suffix == ".mp3"
        assert abs(entry.seconds - mp3_info(file).length) <= 1


def test_a_rebuild_rewrites_the_playlist_only_when_the_episodes_change(tmp_path: Path) -> None:
    articles = copy_articles(tmp_path / "articles", ARTICLES)
    definition = write_definition(tmp_path, articles)
    build(definition, tmp_path / "cache")
    playlist = tmp_path / "public" / "show" / PLAYLIST_FILE
    first = (playlist.stat().st_mtime_ns, playlist.read_bytes())

    build(definition, tmp_path / "cache")
    assert (playlist.stat().st_mtime_ns, playlist.read_bytes()) == first

    copy_articles(articles, MORE)
    build(definition, tmp_path / "cache")
    after_adding = read_playlist(playlist)
    assert [entry.title for entry in after_adding] == newest_first_titles(playlist.parent)
    assert len(after_adding) == 5

    write_definition(tmp_path, articles, keep=2)
    build(definition, tmp_path / "cache")
    kept = read_playlist(playlist)
    assert kept == after_adding[:2]
    assert [file.name for file in played_files(playlist)] == sorted(
        path.name for path in (playlist.parent / "episodes").glob("*.mp3")
    )[::-1]


def test_the_playlist_is_served_as_a_playlist(tmp_path: Path) -> None:
    with served_build(tmp_path, ARTICLES) as (server, _report):
        status, headers, body = fetch(server, f"/show/{PLAYLIST_FILE}")
    assert status == 200 and headers["Content-Type"] == "audio/mpegurl"
    assert body == (tmp_path / "public" / "show" / PLAYLIST_FILE).read_bytes()


def test_no_title_can_break_the_playlist(tmp_path: Path) -> None:
    """A title from the source with an entry and line breaks in it, then one with a raw line break
    as an older state file may hold: each stays one #EXTINF line, and no entry is added."""
    hostile = "Ferry #EXTINF:1,Fake\u2028episodes/evil.mp3\u2029\x85\r\nnews"
    result = build_feed_of(tmp_path, rss_item(hostile, "https://example.org/ferry", "<p>The ferry runs hourly.</p>"))
    assert result.code == 0, result.err
    output = output_of(tmp_path)
    [played] = read_playlist(output / PLAYLIST_FILE)
    assert played.title.startswith("Ferry #EXTINF:1,Fake") and played.title.endswith("news")
    assert played.title == parsed(output / "feed.xml")[0].entries[0].title.replace("\u2028", " ").replace("\u2029", " ")
    assert len(played_files(output / PLAYLIST_FILE)) == 1

    with state_records(output) as records:
        records[0]["title"] = "Ferry\n#EXTINF:1,Fake\r\nepisodes/evil.mp3"
    assert run_cli("feed", "build", tmp_path / "show.toml", "--engine", "espeak").code == 0
    [played] = read_playlist(output / PLAYLIST_FILE)
    assert played.title == "Ferry #EXTINF:1,Fake episodes/evil.mp3"


def _episode(title: str, audio: str, day: int) -> ShowEpisode:
    return ShowEpisode(
        guid=f"g{day}", title=title, link="", summary="", language="und",
        published=dt.datetime(2024, 6, day, tzinfo=dt.UTC), audio=audio, length=1, duration_ms=day * 60_000,
    )  # fmt: skip


def test_cjk_and_rtl_titles_are_written_exactly_and_a_path_is_never_a_comment() -> None:
    episodes = [
        _episode("布林肯前往布鲁塞尔，北约加强对乌克兰的承诺", "episodes/a.mp3", 1),
        _episode("بلينكن يتوجه إلى بروكسل", "episodes/b.mp3", 3),
        _episode("Odd file", "#1 story.mp3", 2),
    ]
    data = render_playlist(episodes)
    assert data.decode("utf-8") == (
        "#EXTM3U\n"
        "#EXTINF:180,بلينكن يتوجه إلى بروكسل\nepisodes/b.mp3\n"
        "#EXTINF:120,Odd file\n%231%20story.mp3\n"
        "#EXTINF:60,布林肯前往布鲁塞尔，北约加强对乌克兰的承诺\nepisodes/a.mp3\n"
    )
    assert render_playlist([]) == b"#EXTM3U\n"


def test_episode_ends_with_a_line_saying_how_to_play_the_mp3(example_episode: BuiltEpisode) -> None:
    summary, play = example_episode.result.out.splitlines()
    assert summary.startswith(f"{example_episode.mp3}: ")
    assert play == how_to_play(str(example_episode.mp3))
    assert play.startswith("Play it in any audio player, e.g. mpv ")
    commands = play.split(", e.g. ", 1)[1].split(" or ")
    for command in commands:
        assert Path(shlex.split(command)[-1]) == example_episode.mp3 and example_episode.mp3.is_file()


@pytest.mark.parametrize("name", ["-today.mp3", "my episode.mp3"])
def test_the_play_line_is_a_command_that_opens_that_file(name: str) -> None:
    for command in how_to_play(name).split(", e.g. ", 1)[1].split(" or "):
        argument = shlex.split(command)[-1]
        assert Path(argument) == Path(name) and not argument.startswith("-")


def test_the_show_page_links_to_the_playlist(tmp_path: Path) -> None:
    with served_build(tmp_path, MORE / "school-garden.md") as (server, _report):
        page = lxml.html.fromstring(fetch(server, "/show/")[2])
        [link] = page.xpath("//header//a[@type='audio/mpegurl']")
        status, headers, body = fetch(server, f"/show/{link.get('href')}")
    assert status == 200 and headers["Content-Type"] == "audio/mpegurl"
    assert len(read_playlist_bytes(body)) == 1 and link.text_content().startswith("Playlist for local players")
