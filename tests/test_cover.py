"""Cover art: the article's lead image fetched over HTTP (from a real server on 127.0.0.1), else the default."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from audiocast.publish.artwork import default_cover
from audiocast.serve import make_server

from .conftest import EXAMPLE, read_id3, run_cli

ARTICLE = """<!--1701121143000-->
[A story with a picture]({site}/a/story.html)
------
<div><i>Mon, 27 Nov 2023 21:07:35 GMT</i></div><img src="{image}"><div><small>A red square, for testing.</small></div><p>The body of the story is one sentence long.</p>
"""


def embedded_cover(tmp_path: Path, image: str, *extra: str) -> bytes:
    (tmp_path / "site").mkdir(exist_ok=True)
    Image.new("RGB", (2000, 1000), (255, 0, 0)).save(tmp_path / "site" / "red.png")
    Image.new("RGB", (50, 50), (255, 0, 0)).save(tmp_path / "site" / "tiny.png")
    (tmp_path / "site" / "broken.png").write_bytes(b"not an image")
    with make_server(tmp_path / "site", port=0) as server:
        server.start()
        source = tmp_path / "story.md"
        site = server.url.rstrip("/")
        source.write_text(ARTICLE.format(site=site, image=image.format(site=site)), encoding="utf-8")
        result = run_cli("episode", source, "--engine", "espeak", *extra)
    assert result.code == 0, result.err
    return bytes(read_id3(source.with_suffix(".mp3")).getall("APIC")[0].data)


def test_lead_image_becomes_the_cover_scaled_to_1400(tmp_path: Path) -> None:
    cover = Image.open(io.BytesIO(embedded_cover(tmp_path, "{site}/red.png")))
    assert cover.format == "JPEG" and cover.size == (1400, 700)
    red, _, _ = cover.convert("RGB").getpixel((700, 350))  # type: ignore[misc]
    assert red > 240


def test_unreadable_image_falls_back_to_the_bundled_cover(tmp_path: Path) -> None:
    assert embedded_cover(tmp_path, "{site}/broken.png") == default_cover()
    assert embedded_cover(tmp_path, "{site}/missing.png") == default_cover()


def test_no_fetch_cover_never_downloads(tmp_path: Path) -> None:
    assert embedded_cover(tmp_path, "{site}/red.png", "--no-fetch-cover") == default_cover()


def test_relative_image_address_is_resolved_against_the_article_link(tmp_path: Path) -> None:
    assert embedded_cover(tmp_path, "../red.png") != default_cover()


def test_icons_and_local_files_are_never_cover_art(tmp_path: Path) -> None:
    assert embedded_cover(tmp_path, "{site}/tiny.png") == default_cover()
    secret = tmp_path / "secret.png"
    Image.new("RGB", (800, 800), (0, 0, 255)).save(secret)
    assert embedded_cover(tmp_path, secret.as_uri()) == default_cover()


def test_an_unreadable_cover_option_is_an_error_before_any_synthesis(tmp_path: Path) -> None:
    bad = tmp_path / "cover.png"
    bad.write_bytes(b"not an image")
    result = run_cli("episode", EXAMPLE, "--engine", "espeak", "--cover", bad, "-o", tmp_path / "x.mp3")
    assert (result.code, result.err) == (1, f"error: {bad}: is not a readable image; use a JPEG or PNG\n")
    assert not (tmp_path / "x.mp3").exists()


def test_a_malformed_image_address_is_the_default_cover_not_a_crash(tmp_path: Path) -> None:
    assert embedded_cover(tmp_path, "http://[bad/x.png") == default_cover()
