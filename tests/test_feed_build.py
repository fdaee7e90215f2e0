"""Feed builds on the offline voice, checked with real readers: feedparser and gPodder's podcastparser.

Covers the example definition, an Atom archive feed, incremental updates (only new articles are
read aloud; other files untouched; GUIDs stable), pruning, and a build killed mid-way.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from mutagen.mp3 import MP3
from PIL import Image

from audiocast.episode import EPISODE_ENDINGS, EpisodeOptions, plan
from audiocast.feedbuild import BuildOptions, build_feed, load_feed_config
from audiocast.feedbuild.state import load_state
from audiocast.sources import read_source

from .conftest import ROOT, run_cli
from .feed_helpers import (
    ARTICLES,
    ATOM,
    MORE,
    CountingProgress,
    build,
    copy_articles,
    episode_files,
    local_file,
    parsed,
    write_definition,
)

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "psc": "http://podlove.org/simple-chapters",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}

# Apple (podcasters.apple.com/support/823) and PSP-1 required channel and item elements.
REQUIRED_CHANNEL = [
    "title", "link", "description", "language", "atom:link[@rel='self']", "itunes:image/@href",
    "itunes:category/@text", "itunes:explicit", "itunes:author", "itunes:owner/itunes:email", "itunes:type",
    "podcast:guid", "podcast:locked",
]  # fmt: skip
REQUIRED_ITEM = [
    "title", "guid[@isPermaLink='false']", "pubDate", "description", "enclosure/@url", "enclosure/@length",
    "enclosure[@type='audio/mpeg']", "itunes:duration",
]  # fmt: skip


def check_published_feed(output: Path) -> dict[str, Any]:
    """Every check a podcast app would make, on a built output folder; returns podcastparser's view."""
    feed_file = output / "feed.xml"
    tree = etree.fromstring(feed_file.read_bytes())
    channel = tree.find("channel")
    assert channel is not None
    for path in REQUIRED_CHANNEL:
        assert channel.xpath(path, namespaces=NS), f"channel lacks {path}"
    assert channel.findtext("itunes:explicit", namespaces=NS) in {"true", "false"}
    assert uuid.UUID(channel.findtext("podcast:guid", namespaces=NS) or "").version == 5
    base_url = channel.xpath("atom:link[@rel='self']/@href", namespaces=NS)[0].removesuffix("feed.xml")
    _check_cover(local_file(output, base_url, channel.xpath("itunes:image/@href", namespaces=NS)[0]))
    urls = [value for value in tree.xpath("//@url | //@href") if value.startswith("http")]
    assert all(url.isascii() for url in urls), "Apple requires ASCII URLs"

    with_feedparser, with_podcastparser = parsed(feed_file)
    items = channel.findall("item")
    assert len(items) == len(with_feedparser.entries) == len(with_podcastparser["episodes"]) > 0
    by_guid = {episode["guid"]: episode for episode in with_podcastparser["episodes"]}
    for item, entry in zip(items, with_feedparser.entries, strict=True):
        for path in REQUIRED_ITEM:
            assert item.xpath(path, namespaces=NS), f"item lacks {path}"
        _check_episode(output, base_url, item, entry, by_guid[entry.id])
    return with_podcastparser


def _check_cover(path: Path) -> None:
    with Image.open(path) as image:
        assert image.format == "JPEG" and image.mode == "RGB"
        assert image.width == image.height and 1400 <= image.width <= 3000


def _check_episode(output: Path, base_url: str, item: Any, entry: Any, gpodder: dict[str, Any]) -> None:
    enclosure = entry.enclosures[0]
    mp3 = local_file(output, base_url, enclosure.href)
    assert int(enclosure.length) == mp3.stat().st_size == gpodder["enclosures"][0]["file_size"]
    assert enclosure.type == "audio/mpeg" and gpodder["enclosures"][0]["mime_type"] == "audio/mpeg"
    assert re.fullmatch(r"[a-z0-9-]+\.mp3", mp3.name)
    seconds = float(MP3(mp3).info.length)  # type: ignore[no-untyped-call, attr-defined]
    assert abs(int(entry.itunes_duration) - seconds) <= 1 and gpodder["total_time"] == int(entry.itunes_duration)

    chapters_url = entry.podcast_chapters["url"]
    assert entry.podcast_chapters["type"] == "application/json+chapters"
    chapters = json.loads(local_file(output, base_url, chapters_url).read_text(encoding="utf-8"))
    assert chapters["version"] == "1.2.0" and chapters["chapters"]
    # gPodder cannot see podcast:chapters under the canonical namespace; it reads the inline psc copy.
    assert [c["title"] for c in gpodder["chapters"]] == [c["title"] for c in chapters["chapters"]]
    assert [c["start"] for c in gpodder["chapters"]] == [int(c["startTime"]) for c in chapters["chapters"]]
    assert chapters["chapters"][-1]["startTime"] < seconds

    transcripts = {t.get("type"): t.get("url") for t in item.findall("podcast:transcript", namespaces=NS)}
    assert set(transcripts) == {"text/vtt", "application/x-subrip", "application/json"}
    assert entry.podcast_transcript["url"] == transcripts["application/json"]  # feedparser keeps the last one
    words = json.loads(local_file(output, base_url, transcripts["application/json"]).read_text(encoding="utf-8"))
    assert words["version"] == "1.0.0" and words["segments"]
    starts = [segment["startTime"] for segment in words["segments"]]
    assert starts == sorted(starts) and words["segments"][-1]["endTime"] <= seconds
    vtt = local_file(output, base_url, transcripts["text/vtt"]).read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT") and "-->" in vtt
    srt = local_file(output, base_url, transcripts["application/x-subrip"]).read_text(encoding="utf-8")
    assert srt.startswith("1\n") and " --> " in srt


@pytest.fixture(scope="module")
def atom_show(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    folder = tmp_path_factory.mktemp("atom")
    definition = write_definition(folder, ATOM)
    report = build(definition, folder / "cache")
    return definition, report


def test_example_definition_builds_a_valid_feed(tmp_path: Path) -> None:
    config = load_feed_config(ROOT / "feeds" / "example.toml")
    # the example article's image is on the internet, which tests never fetch from
    config = dataclasses.replace(config, output=tmp_path / "example", engine="espeak", episode_art=False)
    report = build_feed(config, BuildOptions(cache_dir=tmp_path / "cache"))
    gpodder = check_published_feed(tmp_path / "example")
    assert len(report.plan.add) == 1 and gpodder["title"] == config.show.title
    assert [c["title"] for c in gpodder["episodes"][0]["chapters"]][1:] == [
        "北约-乌克兰理事会外长会议", "西巴尔干地区", "北马其顿与欧安组织",
    ]  # fmt: skip
    page = (tmp_path / "example" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page


def test_atom_feed_of_archive_html_builds_a_valid_feed(atom_show: tuple[Path, Any]) -> None:
    report = atom_show[1]
    gpodder = check_published_feed(report.output)
    episodes = gpodder["episodes"]
    assert [episode["title"] for episode in episodes] == [  # newest first
        "图书馆延长晚间开放时间",
        "New bicycle lanes open along the river",
        "Harbour ferries return after winter repairs",
    ]
    assert gpodder["explicit"] is False and gpodder["type"] == "episodic"
    assert gpodder["itunes_owner"] == {"name": "Test Newsroom", "email": "podcast@example.org"}
    assert gpodder["itunes_categories"] == [["News", "Daily News"]]
    assert {episode["itunes_author"] for episode in episodes} == {"Sam Porter", "Test Newsroom"}  # not "admin"


def test_page_chrome_of_feed_entries_is_not_read(atom_show: tuple[Path, Any]) -> None:
    transcripts = " ".join(
        path.read_text(encoding="utf-8") for path in (atom_show[1].output / "episodes").glob("*.txt")
    )
    assert "ferries returned to service" in transcripts and "中央图书馆" in transcripts
    for chrome in ("Share this article", "bridge works delayed", "All rights reserved", "版权所有", "admin"):
        assert chrome not in transcripts


def test_file_names_are_ascii_slugs_with_a_short_hash(atom_show: tuple[Path, Any]) -> None:
    names = sorted(path.name for path in (atom_show[1].output / "episodes").glob("*.mp3"))
    assert [re.sub(r"-[0-9a-f]{8}\.mp3$", "", name) for name in names] == [
        "2024-06-01-harbour-ferries-return-after-winter-repairs",
        "2024-06-03-new-bicycle-lanes-open-along-the-river",
        "2024-06-10-library-hours-zh-20240602",  # a Chinese title: the slug comes from the link
    ]


def test_unchanged_rebuild_touches_nothing(atom_show: tuple[Path, Any], tmp_path: Path) -> None:
    definition, report = atom_show
    before = {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in report.output.rglob("*") if path.is_file()}
    progress = CountingProgress()
    again = build(definition, tmp_path / "empty-cache", progress)
    assert (len(again.plan.add), len(again.plan.remake), len(again.plan.keep)) == (0, 0, 3)
    assert progress.clips == 0 and again.clips == 0
    for path, (mtime, data) in before.items():  # the state database too: nothing is written
        assert path.stat().st_mtime_ns == mtime and path.read_bytes() == data, path


def test_dry_run_plans_and_writes_nothing(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, ARTICLES)
    report = build(definition, tmp_path / "cache", dry_run=True)
    assert len(report.plan.add) == 3 and report.dry_run
    assert not (tmp_path / "public").exists()


def test_adding_one_article_reads_only_that_one(tmp_path: Path) -> None:
    source = copy_articles(tmp_path / "articles", ARTICLES)
    definition = write_definition(tmp_path, source)
    first = build(definition, tmp_path / "cache")
    output = first.output
    files_before = episode_files(output)
    mtimes = {path.name: path.stat().st_mtime_ns for path in (output / "episodes").iterdir()}
    guids_before = {entry.title: entry.id for entry in parsed(output / "feed.xml")[0].entries}

    new_article = MORE / "school-garden.md"
    copy_articles(source, new_article)
    progress = CountingProgress()
    fresh_cache = tmp_path / "fresh-cache"  # an empty cache: any clip made again would land here
    update = build(definition, fresh_cache, progress)

    expected = plan(read_source(str(new_article)), EpisodeOptions(engine="espeak")).segments
    assert progress.episodes == ["Pupils plant a garden on the school roof"]
    assert progress.clips == update.clips == len(expected)
    assert len(list(fresh_cache.rglob("*.clip"))) == len({segment.text for segment in expected})
    files_after = episode_files(output)
    assert {name: files_after[name] for name in files_before} == files_before
    assert all((output / "episodes" / name).stat().st_mtime_ns == mtime for name, mtime in mtimes.items())
    assert len(files_after) == len(files_before) + len(EPISODE_ENDINGS) == len(files_before) + 6  # MP3, 5 sidecars
    guids_after = {entry.title: entry.id for entry in parsed(output / "feed.xml")[0].entries}
    assert {title: guids_after[title] for title in guids_before} == guids_before
    check_published_feed(output)


def test_an_edited_article_is_made_again_under_a_new_name_with_the_same_guid(tmp_path: Path) -> None:
    source = copy_articles(tmp_path / "articles", ARTICLES)
    definition = write_definition(tmp_path, source)
    output = build(definition, tmp_path / "cache").output
    before = {entry.title: (entry.id, entry.enclosures[0].href) for entry in parsed(output / "feed.xml")[0].entries}
    article = source / "library-hours.md"
    article.write_text(article.read_text().replace("nine in the evening", "ten in the evening"))

    update = build(definition, tmp_path / "cache")
    assert len(update.plan.remake) == 1 and len(update.plan.keep) == 2
    after = {entry.title: (entry.id, entry.enclosures[0].href) for entry in parsed(output / "feed.xml")[0].entries}
    title = "Central library extends its evening hours"
    assert after[title][0] == before[title][0]  # same GUID: podcast apps see an update, not a new episode
    assert after[title][1] != before[title][1]  # new URL: never two files under one address
    assert not (output / before[title][1].removeprefix("http://127.0.0.1:8000/show/")).exists()
    assert "ten in the evening" in " ".join(p.read_text() for p in (output / "episodes").glob("*.txt"))
    check_published_feed(output)


def test_episodes_beyond_keep_leave_the_feed_and_their_files_go(tmp_path: Path) -> None:
    source = copy_articles(tmp_path / "articles", ARTICLES, MORE)
    definition = write_definition(tmp_path, source, keep=3)
    report = build(definition, tmp_path / "cache")
    assert len(report.plan.add) == 3 and report.plan.too_old == 2
    output = report.output
    assert len(list((output / "episodes").glob("*.mp3"))) == 3

    (source / "harbour-ferries.md").unlink()
    definition = write_definition(tmp_path, source, keep=2)
    pruned = build(definition, tmp_path / "cache")
    assert [record.episode.title for record in pruned.plan.remove] == ["New bicycle lanes open along the river"]
    titles = [entry.title for entry in parsed(output / "feed.xml")[0].entries]
    assert titles == ["Night market moves to the old station square", "Pupils plant a garden on the school roof"]
    assert sorted(path.suffix for path in (output / "episodes").iterdir()).count(".mp3") == 2
    assert len(list((output / "episodes").iterdir())) == 2 * len(EPISODE_ENDINGS) == 12
    check_published_feed(output)


def test_base_url_override_moves_every_url(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, ARTICLES)
    build(definition, tmp_path / "cache")
    result = run_cli("feed", "build", definition, "--base-url", "http://192.168.1.20:8000/show")
    assert result.code == 0, result.err
    assert "Subscribe in a podcast app: http://192.168.1.20:8000/show/feed.xml" in result.out
    assert "audiocast serve" in result.out and "--host 0.0.0.0 --port 8000" in result.out
    xml = (tmp_path / "public" / "show" / "feed.xml").read_text(encoding="utf-8")
    assert "127.0.0.1" not in xml and xml.count("http://192.168.1.20:8000/show/") > 10
    check_published_feed(tmp_path / "public" / "show")


def test_cli_reports_changes_and_where_to_subscribe(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, ARTICLES)
    result = run_cli("feed", "build", definition, "--dry-run")
    assert result.code == 0, result.err
    assert "Dry run: nothing was written." in result.out and "Would add:" in result.out
    assert "Added 3, re-made 0, removed 0, kept 0: 3 episodes would be in the feed." in result.out
    bad = run_cli("feed", "build", tmp_path / "missing.toml")
    assert bad.code == 1 and bad.err.strip() == f"error: {tmp_path / 'missing.toml'}: no such feed definition"


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM])
def test_a_build_killed_mid_way_leaves_the_previous_feed_valid_and_a_rerun_completes(
    tmp_path: Path, stop: signal.Signals
) -> None:
    source = copy_articles(tmp_path / "articles", ARTICLES)
    definition = write_definition(tmp_path, source)
    output = build(definition, tmp_path / "cache").output
    feed_before = (output / "feed.xml").read_bytes()
    copy_articles(source, MORE)  # two new articles

    killed = _kill_after_first_new_episode(definition, tmp_path / "cache", output, stop)
    assert killed, "the build finished before it could be interrupted"
    assert (output / "feed.xml").read_bytes() == feed_before
    assert len(check_published_feed(output)["episodes"]) == 3  # the previous feed, every file intact

    progress = CountingProgress()
    rerun = build(definition, tmp_path / "cache", progress)
    assert len(rerun.plan.add) == 1 and len(rerun.plan.keep) == 4  # the finished one is not made again
    assert progress.episodes == ["Pupils plant a garden on the school roof"]
    assert len(check_published_feed(output)["episodes"]) == 5
    assert not [path for path in output.rglob(".*.part")]


def _kill_after_first_new_episode(definition: Path, cache: Path, output: Path, stop: signal.Signals) -> bool:
    """Start a CLI build in a subprocess; send it ``stop`` once the first new episode is recorded."""
    environment = {**os.environ, "AUDIOCAST_CACHE_DIR": str(cache)}
    command = [sys.executable, "-c", "from audiocast.cli import main; main()", "-q", "feed", "build", str(definition)]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            state = load_state(output)
            if state is not None and len(state.episodes) == 4:
                process.send_signal(stop)
                process.wait()
                return True
            time.sleep(0.005)
        return False
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        assert process.stderr is not None
        process.stderr.close()


def test_a_second_build_into_the_same_folder_is_refused_while_one_runs(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, ARTICLES)
    output = tmp_path / "public" / "show"
    output.mkdir(parents=True)
    with (output / ".audiocast-lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # what a running build holds
        result = run_cli("feed", "build", definition)
    assert result.code == 1
    assert result.err.strip() == f"error: {output}: another feed build is running there; wait for it to finish"
    assert not (output / "feed.xml").exists()
