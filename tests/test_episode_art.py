"""Episode art in a feed build: each article's lead image, fetched from a real server on 127.0.0.1,
becomes the episode's square art (JPEG beside the MP3, its APIC, the item's itunes:image, the page's
picture with the caption as alt); an image that cannot be used leaves the show's cover."""

from __future__ import annotations

import io
import logging
import re
import urllib.parse
from pathlib import Path

import pytest
from PIL import Image

from audiocast.publish.artwork import to_jpeg
from audiocast.serve import make_server

from .conftest import read_id3
from .feed_helpers import build, local_file, parsed, write_definition
from .test_cover import BOMB, assert_padded

ARTICLE = """<!--{stamp}-->
[{title}](https://news.example.org/a/{name}.html)
------
<div><i>Mon, 27 Nov 2023 21:07:35 GMT</i></div><img src="{image}"><div><small>{caption}</small></div><p>The story of {title} is one sentence long.</p>
"""

PICTURES = {"wide.jpg": (1800, 900), "tall.png": (700, 1500)}


def write_site(site: Path) -> None:
    site.mkdir()
    for name, size in PICTURES.items():
        Image.new("RGB", size, (255, 0, 0)).save(site / name)
    (site / "bomb.png").write_bytes(BOMB)  # 900 megapixels in about 110 KB


def write_article(source: Path, number: int, name: str, image: str) -> None:
    title = f"Story {name.split('.')[0]}"
    text = ARTICLE.format(
        stamp=1701121143000 + number * 1000, title=title, name=number, image=image, caption=f"A red {name}."
    )
    (source / f"{number}.md").write_text(text, encoding="utf-8")


def snapshot(output: Path) -> dict[str, bytes]:
    return {path.relative_to(output).as_posix(): path.read_bytes() for path in sorted(output.rglob("*"))
            if path.is_file() and not path.name.startswith(".audiocast-lock")}  # fmt: skip


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]


def test_lead_images_become_episode_art_and_bad_ones_leave_the_show_cover(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_site(tmp_path / "site")
    source = tmp_path / "articles"
    source.mkdir()
    with make_server(tmp_path / "site", port=0) as server:
        server.start()
        for number, name in enumerate([*PICTURES, "bomb.png", "missing.jpg"]):
            write_article(source, number, name, server.url + name)
        definition = write_definition(tmp_path, source, episode_art=True)
        output = tmp_path / "public" / "show"
        with caplog.at_level(logging.WARNING):
            build(definition, tmp_path / "cache")
    bomb, missing = sorted(warnings_of(caplog), key=lambda line: "missing.jpg" in line)  # exactly one each
    assert bomb.endswith("bomb.png is larger than 50 megapixels; using the default cover")
    assert "missing.jpg: the server answered 404 Not Found" in missing

    feed, podcast = parsed(output / "feed.xml")
    base = feed.feed.links[0].href.removesuffix("feed.xml")
    cover = next(output.glob("cover-*.jpg"))
    page = (output / "index.html").read_text(encoding="utf-8")
    by_title = {entry.title: entry for entry in feed.entries}
    gpodder = {episode["title"]: episode for episode in podcast["episodes"]}
    for name, size in PICTURES.items():
        entry = by_title[f"Story {name.split('.')[0]}"]
        art_url = entry.image.href
        assert gpodder[entry.title]["episode_art_url"] == art_url
        art_file = local_file(output, base, art_url)
        audio = local_file(output, base, entry.enclosures[0].href)
        assert art_file == audio.with_suffix(".jpg")
        art = Image.open(art_file)
        assert art.format == "JPEG" and art.size == (max(size),) * 2
        assert_padded(art.convert("RGB"), size)
        embedded = Image.open(io.BytesIO(read_id3(audio).getall("APIC")[0].data))
        assert embedded.size == art.size
        assert_padded(embedded.convert("RGB"), size)
        relative = art_file.relative_to(output).as_posix()
        assert re.search(rf'<img class="art" src="{re.escape(relative)}" alt="A red {re.escape(name)}\."', page)
    for name in ("bomb", "missing"):
        entry = by_title[f"Story {name}"]
        assert "image" not in entry and "episode_art_url" not in gpodder[entry.title]  # the show's art applies
        audio = local_file(output, base, entry.enclosures[0].href)
        assert read_id3(audio).getall("APIC")[0].data == to_jpeg(cover.read_bytes())
        assert not audio.with_suffix(".jpg").exists()
    assert page.count('<img class="art"') == len(PICTURES)


def test_an_offline_build_uses_the_show_cover_and_a_later_online_build_adds_the_picture(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    Image.new("RGB", (1500, 1000), (255, 0, 0)).save(site / "late.jpg")
    source = tmp_path / "articles"
    source.mkdir()
    output = tmp_path / "public" / "show"
    with make_server(site, port=0) as server:
        url = server.url  # a free port, closed again below: nothing answers there
    write_article(source, 1, "late.jpg", url + "late.jpg")
    definition = write_definition(tmp_path, source, episode_art=True)
    with caplog.at_level(logging.WARNING):
        build(definition, tmp_path / "cache")  # offline: the show's cover, one warning
    [warned] = warnings_of(caplog)
    assert "late.jpg: cannot be fetched" in warned and warned.endswith("using the default cover")
    before = snapshot(output)
    [audio] = [name for name in before if name.endswith(".mp3")]
    assert not any(name.startswith("episodes/") and name.endswith(".jpg") for name in before)
    assert "itunes:image" not in before["feed.xml"].decode().split("<item>")[1]

    with make_server(site, port=urllib.parse.urlsplit(url).port or 0) as server:
        server.start()
        build(definition, tmp_path / "cache")  # online again
    after = snapshot(output)
    art = audio.removesuffix(".mp3") + ".jpg"
    assert Image.open(output / art).size == (1500, 1500)
    assert after[audio] == before[audio]  # the MP3 and its URL stay; the feed and page name the art
    assert art in after["feed.xml"].decode() and f'src="{art}"' in after["index.html"].decode()

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        build(definition, tmp_path / "cache")  # offline again: the art was fetched once, nothing changes
    assert snapshot(output) == after
    assert not warnings_of(caplog)
