"""Chapter images: each figure read as an aside is a silent chapter (JSON ``toc: false``, a CHAP
outside the table of contents) showing its picture, fetched from a real server on 127.0.0.1; the
navigation chapters stay as they are, and a picture that cannot be used leaves its figure out."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import logging
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from audiocast.episode import EpisodeOptions, make_episode
from audiocast.models import Article, Block, Placed, Script, Timeline
from audiocast.profiles import load_profile
from audiocast.publish.artwork import CHAPTER_ART_PIXELS, MAX_IMAGE_BYTES
from audiocast.publish.chapters import (
    FIGURE_TITLE_CHARACTERS,
    figure_chapters,
    figure_images,
    to_chapters_json,
    with_pictures,
)
from audiocast.script import build_script
from audiocast.serve import make_server
from audiocast.sources import read_source
from audiocast.synth import SynthOptions

from .conftest import read_id3
from .feed_helpers import build, local_file, parsed, write_definition
from .test_cover import BOMB
from .test_episode_art import snapshot, warnings_of

HEADING = "What the ministers said"
ARTICLE = """<!--1701121143000-->
[Harbour reopens](https://news.example.org/a/1.html)
------
<div><i>Mon, 27 Nov 2023 21:07:35 GMT</i></div>
<img src="{site}wide.jpg"><div><small>Boats return to the harbour.</small></div>
<p>The harbour reopened on Monday after a week of storms.</p>
<p><strong>{heading}</strong></p>
<p>The ministers met in the morning and agreed on the repairs.</p>
<img src="{site}tall.png"><div><small>The ministers at the quay.</small></div>
<p>Work starts next week.</p>
{more}"""
HOSTILE = {"bomb.png": "is larger than 50 megapixels", "text.jpg": "is not a readable image", "huge.jpg": "is over 10 MB"}


def write_site(site: Path) -> None:
    site.mkdir()
    Image.new("RGB", (1800, 900), (255, 0, 0)).save(site / "wide.jpg")
    Image.new("RGB", (700, 1500), (0, 0, 255)).save(site / "tall.png")
    (site / "bomb.png").write_bytes(BOMB)
    (site / "text.jpg").write_text("<html>not a picture</html>", encoding="utf-8")
    (site / "huge.jpg").write_bytes(b"\xff\xd8\xff" + bytes(MAX_IMAGE_BYTES + 1))


def write_article(folder: Path, site: str, *, hostile: bool = False) -> Path:
    more = "".join(
        f'<img src="{site}{name}"><div><small>A picture called {name}.</small></div><p>Then {name}.</p>\n'
        for name in HOSTILE
    )
    path = folder / "harbour.md"
    path.write_text(ARTICLE.format(site=site, heading=HEADING, more=more if hostile else ""), encoding="utf-8")
    return path


def feed_of(folder: Path, site: str, *, hostile: bool = False) -> Path:
    """A feed definition (episode art on) whose source folder holds the article."""
    source = folder / "articles"
    source.mkdir()
    write_article(source, site, hostile=hostile)
    return write_definition(folder, source, episode_art=True)


def navigation(id3: Any) -> list[tuple[str, int, int]]:
    """The CHAP frames the top-level CTOC lists: title, start, end."""
    [toc] = id3.getall("CTOC")
    chapters = {frame.element_id: frame for frame in id3.getall("CHAP")}
    return [(chapters[i].sub_frames["TIT2"].text[0], chapters[i].start_time, chapters[i].end_time)
            for i in toc.child_element_ids]  # fmt: skip


def figures(id3: Any) -> list[Any]:
    """The CHAP frames the table of contents does not list, by start."""
    listed = set(id3.getall("CTOC")[0].child_element_ids)
    return sorted((f for f in id3.getall("CHAP") if f.element_id not in listed), key=lambda f: f.start_time)


def check_chapters_document(document: dict[str, Any]) -> None:
    """Podcasting 2.0 JSON chapters 1.2: version, chapters in ascending startTime, typed fields."""
    assert document["version"] == "1.2.0" and isinstance(document["chapters"], list)
    starts = [chapter["startTime"] for chapter in document["chapters"]]
    assert starts == sorted(starts)
    types = {"startTime": float, "endTime": float, "title": str, "img": str, "toc": bool}
    for chapter in document["chapters"]:
        assert set(chapter) <= set(types) and all(isinstance(chapter[k], types[k]) for k in chapter)
        assert chapter["startTime"] < chapter["endTime"]
        if "img" in chapter:
            assert chapter["toc"] is False and urllib.parse.urlsplit(chapter["img"]).scheme in {"http", "https"}


def square_jpeg(data: bytes, side: int) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.size == (side, side)
    return image


def make(article: Path, mp3: Path, cache: Path, *, fetch: bool) -> dict[str, Any]:
    options = EpisodeOptions(engine="espeak", synth=SynthOptions(jobs=1, cache_dir=cache), fetch_cover=fetch)
    make_episode(read_source(str(article)), mp3, options)
    document: dict[str, Any] = json.loads(mp3.with_suffix(".chapters.json").read_text(encoding="utf-8"))
    return document


def test_an_episode_shows_each_figure_s_picture_while_its_caption_is_read(tmp_path: Path) -> None:
    write_site(tmp_path / "site")
    with make_server(tmp_path / "site", port=0) as server:
        server.start()
        article = write_article(tmp_path, server.url)
        online = make(article, tmp_path / "online.mp3", tmp_path / "cache", fetch=True)
    offline = make(article, tmp_path / "offline.mp3", tmp_path / "cache", fetch=False)
    assert make(article, tmp_path / "again.mp3", tmp_path / "cache", fetch=True) == online  # from the cache
    assert (tmp_path / "again.mp3").read_bytes() == (tmp_path / "online.mp3").read_bytes()

    check_chapters_document(online)
    assert [c for c in online["chapters"] if "toc" not in c] == offline["chapters"]  # navigation as it was
    assert [c["title"] for c in offline["chapters"]] == ["Harbour reopens", HEADING]
    silent = [c for c in online["chapters"] if c.get("toc") is False]
    assert [(c["title"], c["img"]) for c in silent] == [
        ("Photo caption: Boats return to the harbour.", server.url + "wide.jpg"),
        ("Photo caption: The ministers at the quay.", server.url + "tall.png"),
    ]

    tags, plain = read_id3(tmp_path / "online.mp3"), read_id3(tmp_path / "offline.mp3")
    assert navigation(tags) == navigation(plain) and not figures(plain)
    frames = figures(tags)
    assert [(f.sub_frames["TIT2"].text[0], f.start_time, f.end_time) for f in frames] == [
        (c["title"], round(c["startTime"] * 1000), round(c["endTime"] * 1000)) for c in silent
    ]
    for frame, colour in zip(frames, [(255, 0, 0), (0, 0, 255)], strict=True):
        picture = square_jpeg(frame.sub_frames.getall("APIC")[0].data, CHAPTER_ART_PIXELS).convert("RGB")
        centre = picture.getpixel((320, 320))
        assert isinstance(centre, tuple) and all(abs(a - b) < 8 for a, b in zip(centre, colour, strict=True))
    headed = navigation(tags)[1][1]
    assert frames[0].end_time < headed < frames[1].start_time  # each within its own section


def test_a_feed_publishes_chapter_pictures_beside_the_mp3_and_refuses_hostile_ones(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_site(tmp_path / "site")
    output = tmp_path / "public" / "show"
    with make_server(tmp_path / "site", port=0) as server:
        server.start()
        definition = feed_of(tmp_path, server.url, hostile=True)
        with caplog.at_level(logging.WARNING):
            build(definition, tmp_path / "cache")
            warned = warnings_of(caplog)
            first = snapshot(output)
            caplog.clear()
            build(definition, tmp_path / "cache")  # nothing changed: not a byte either
        assert snapshot(output) == first and not warnings_of(caplog)
    assert sorted(line.split("/")[-1].split()[0] for line in warned) == sorted(HOSTILE)  # one warning each
    assert all(line.startswith("chapter image ") and line.endswith("its chapter has no picture") for line in warned)
    feed, podcast = parsed(output / "feed.xml")
    [entry] = feed.entries
    base = feed.feed.links[0].href.removesuffix("feed.xml")
    audio = local_file(output, base, entry.enclosures[0].href)
    document = json.loads(local_file(output, base, entry.podcast_chapters["url"]).read_text(encoding="utf-8"))
    check_chapters_document(document)
    silent = [c for c in document["chapters"] if c.get("toc") is False]
    assert [c["img"] for c in silent] == [base + f"episodes/{audio.stem}.fig{n}.jpg" for n in (1, 2)]
    frames = figures(read_id3(audio))
    for chapter, frame in zip(silent, frames, strict=True):
        published = local_file(output, base, chapter["img"]).read_bytes()
        square_jpeg(published, CHAPTER_ART_PIXELS)
        assert frame.sub_frames.getall("APIC")[0].data == published
    # gPodder reads the inline psc chapters: the navigation only, as before
    navigation_titles = [c["title"] for c in document["chapters"] if "toc" not in c]
    assert [c["title"] for c in podcast["episodes"][0]["chapters"]] == navigation_titles == [t for t, _, _ in
                                                                                           navigation(read_id3(audio))]
    assert sorted(p.name for p in audio.parent.glob("*.jpg")) == sorted(
        [f"{audio.stem}.jpg", f"{audio.stem}.fig1.jpg", f"{audio.stem}.fig2.jpg"]
    )

    build(definition, tmp_path / "cache", base_url="https://lan.example/show/")  # offline, elsewhere
    moved = json.loads(local_file(output, base, entry.podcast_chapters["url"]).read_text(encoding="utf-8"))
    assert [c.get("img", "").replace("https://lan.example/show/", base) for c in moved["chapters"]] == [
        c.get("img", "") for c in document["chapters"]
    ] and all(c["img"].startswith("https://lan.example/show/episodes/") for c in moved["chapters"] if "img" in c)
    after = snapshot(output)
    assert {name for name in first if first[name] != after[name]} == {
        "feed.xml", "index.html", entry.podcast_chapters["url"].removeprefix(base)
    }  # the MP3 and the pictures stay as they were


def test_hostile_chapter_pictures_are_refused_with_one_warning_each(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_site(tmp_path / "site")
    with make_server(tmp_path / "site", port=0) as server:
        server.start()
        article = write_article(tmp_path, server.url, hostile=True)
        with caplog.at_level(logging.WARNING):
            document = make(article, tmp_path / "e.mp3", tmp_path / "cache", fetch=True)
    warned = warnings_of(caplog)
    assert len(warned) == len(HOSTILE)
    for name, problem in HOSTILE.items():
        [line] = [line for line in warned if name in line]
        assert line.startswith("chapter image ") and problem in line and line.endswith("its chapter has no picture")
    check_chapters_document(document)
    assert [c["img"].rsplit("/", 1)[1] for c in document["chapters"] if "img" in c] == ["wide.jpg", "tall.png"]
    assert len(figures(read_id3(tmp_path / "e.mp3"))) == 2


def test_offline_a_feed_episode_has_its_navigation_chapters_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with make_server(tmp_path, port=0) as server:
        url = server.url  # closed again: nothing answers there
    definition = feed_of(tmp_path, url)
    with caplog.at_level(logging.WARNING):
        build(definition, tmp_path / "cache")
    warned = warnings_of(caplog)
    assert len(warned) == 2 and all("cannot be fetched" in line for line in warned)  # one for each picture
    output = tmp_path / "public" / "show"
    [chapters] = output.glob("episodes/*.chapters.json")
    document = json.loads(chapters.read_text(encoding="utf-8"))
    assert [c["title"] for c in document["chapters"]] == ["Harbour reopens", HEADING]
    assert not figures(read_id3(chapters.with_name(chapters.name.replace(".chapters.json", ".mp3"))))
    assert not list(output.glob("episodes/*.jpg"))


def test_a_caption_read_in_several_segments_is_one_figure_chapter_with_its_image_once() -> None:
    caption = " ".join(f"Sentence {n} of a long caption about the harbour and its boats." for n in range(12))
    blocks = (Block("paragraph", "The harbour reopened."), Block("figure", caption, src="https://x.org/1.jpg"),
              Block("paragraph", "Work starts next week."))  # fmt: skip
    article = Article("a", "Harbour", "", dt.datetime(2023, 11, 27, tzinfo=dt.UTC), "News", "en-US", blocks)
    script = build_script(article, load_profile("en-US"), max_segment_bytes=200)
    asides = [segment for segment in script.segments if segment.role == "aside"]
    assert len(asides) > 2 and [bool(segment.image) for segment in asides] == [True] + [False] * (len(asides) - 1)
    assert figure_images(script) == ("https://x.org/1.jpg",)
    placed, start = [], 0
    for segment in script.segments:  # a second a segment
        placed.append(Placed(segment, start, start + 1000, ()))
        start += 1000 + segment.pause_after_ms
    timeline = Timeline(tuple(placed), start)
    first = script.segments.index(asides[0])
    [figure] = figure_chapters(timeline)
    assert (figure.start_ms, figure.end_ms) == (placed[first].start_ms, placed[first + len(asides) - 1].end_ms)
    assert figure.title.startswith("Photo caption: Sentence 0") and len(figure.title) <= FIGURE_TITLE_CHARACTERS
    document = json.loads(to_chapters_json(timeline, "Harbour"))
    check_chapters_document(document)
    assert [c.get("img") for c in document["chapters"]] == [None, "https://x.org/1.jpg"]
    unpictured = json.loads(to_chapters_json(timeline_of(with_pictures(script, {}), timeline), "Harbour"))
    assert [c["title"] for c in unpictured["chapters"]] == ["Harbour"]


def timeline_of(script: Script, timeline: Timeline) -> Timeline:
    """``timeline`` with ``script``'s segments in place of its own (the same text, other images)."""
    placed = tuple(dataclasses.replace(p, segment=s) for p, s in zip(timeline.placed, script.segments, strict=True))
    return dataclasses.replace(timeline, placed=placed)
