"""feed.xml, index.html and cover art from plain values, no audio: the feedgen traps stay closed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import tempfile
from pathlib import Path

import podcastparser
from lxml import etree
from PIL import Image

from audiocast.models import Chapter
from audiocast.publish.cover import cover_image, write_cover
from audiocast.publish.feed import render_feed
from audiocast.publish.show import Show, ShowEpisode
from audiocast.publish.site import render_index

EPISODE = ShowEpisode(
    guid="4682c08c-df05-5c22-bff5-f42b88154f91",
    title="Tom & Jerry <live>",
    link="",
    summary="A summary with <b>markup</b> & an ampersand.",
    language="en",
    published=dt.datetime(2024, 6, 1, 10, tzinfo=dt.UTC),
    audio="episodes/2024-06-01-tom-jerry-1a2b3c4d.mp3",
    length=123_456,
    duration_ms=61_500,
    chapters=(Chapter("Opening", 0, 20_000), Chapter("Second part", 20_000, 61_500)),
    sidecars={"vtt": "episodes/a.vtt", "srt": "episodes/a.srt", "chapters": "episodes/a.chapters.json"},
    transcript="First paragraph.\n\nSecond paragraph.\n",
)


def channel(xml: bytes) -> etree._Element:
    found = etree.fromstring(xml).find("channel")
    assert found is not None
    return found


def test_explicit_is_true_or_false_and_never_yes_no() -> None:
    for explicit, word in ((True, "true"), (False, "false")):
        xml = render_feed(dataclasses.replace(Show.example(), explicit=explicit), [EPISODE])
        values = re.findall(rb"<itunes:explicit>(\w+)</itunes:explicit>", xml)
        assert values == [word.encode()] * 2  # channel and item, once each


def test_link_is_the_show_page_and_self_link_is_the_feed() -> None:
    show = Show.example()
    ch = channel(render_feed(show, [EPISODE]))
    assert ch.findtext("link") == show.link
    assert ch.find("{http://www.w3.org/2005/Atom}link").get("href") == show.feed_url


def test_prefixes_are_the_conventional_ones() -> None:
    xml = render_feed(Show.example(), [EPISODE])
    assert b"ns0:" not in xml  # AntennaPod matches prefixes, not URIs
    for prefix in (b"itunes", b"podcast", b"psc", b"atom", b"content"):
        assert b"xmlns:" + prefix + b"=" in xml


def test_enclosure_duration_and_episode_link_without_an_article_link() -> None:
    show = Show.example()
    item = channel(render_feed(show, [EPISODE])).find("item")
    assert item is not None
    enclosure = item.find("enclosure")
    assert enclosure is not None and enclosure.get("length") == "123456" and enclosure.get("type") == "audio/mpeg"
    assert item.findtext("{http://www.itunes.com/dtds/podcast-1.0.dtd}duration") == "62"
    link = item.findtext("link") or ""
    assert link == "https://example.org/show/index.html#ep-4682c08c-df05-5c22-bff5-f42b88154f91"
    assert f'id="{link.split("#")[1]}"' in render_index(show, [EPISODE])


def test_gpodder_reads_chapters_and_escaped_text() -> None:
    show = Show.example()
    parsed = podcastparser.parse(show.feed_url, io.BytesIO(render_feed(show, [EPISODE])))
    [episode] = parsed["episodes"]
    assert episode["title"] == "Tom & Jerry <live>"
    assert episode["chapters"] == [{"start": 0, "title": "Opening"}, {"start": 20, "title": "Second part"}]
    assert "<b>markup</b>" not in episode["description_html"]  # a summary is text, never injected HTML


def test_output_is_deterministic() -> None:
    show = Show.example()
    assert render_feed(show, [EPISODE]) == render_feed(show, [EPISODE])
    assert render_index(show, [EPISODE]) == render_index(show, [EPISODE])


def test_page_escapes_text_and_has_players_tracks_and_seeking_links() -> None:
    page = render_index(Show.example(), [EPISODE])
    assert "Tom &amp; Jerry &lt;live&gt;" in page and "<live>" not in page
    assert '<track kind="captions" src="episodes/a.vtt" srclang="en"' in page
    assert 'href="episodes/2024-06-01-tom-jerry-1a2b3c4d.mp3#t=20.000"' in page and 'data-start="20.000"' in page
    assert "<summary>Transcript</summary>" in page and "<p>Second paragraph.</p>" in page


def test_generated_covers_are_apple_sized_rgb_jpegs() -> None:
    for title in ("Morning brief", "布林肯前往布鲁塞尔，北约加强对乌克兰的承诺"):
        image = cover_image(title)
        assert image.size == (1400, 1400) and image.mode == "RGB"
    assert write_cover(Path(tempfile.mkdtemp()), "Same title", None) == write_cover(
        Path(tempfile.mkdtemp()), "Same title", None)  # the same title draws the same bytes: a stable URL


def test_a_given_cover_is_squared_and_scaled_under_a_versioned_name(tmp_path: Path) -> None:
    folder = tmp_path
    given = folder / "wide.png"
    Image.new("RGBA", (900, 600), (10, 20, 30, 128)).save(given)
    name = write_cover(folder, "ignored", given)
    assert re.fullmatch(r"cover-[0-9a-f]{8}\.jpg", name)
    with Image.open(folder / name) as written:
        assert written.format == "JPEG" and written.mode == "RGB" and written.size == (1400, 1400)
    assert write_cover(folder, "ignored", given) == name  # same art, same address
