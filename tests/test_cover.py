"""Cover art: the article's lead image fetched over HTTP (from a real server on 127.0.0.1), else the default."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from audiocast.publish.artwork import default_cover
from audiocast.serve import make_server

from .conftest import read_id3, run_cli

ARTICLE = """<!--1701121143000-->
[A story with a picture]({site}/a/story.html)
------
<div><i>Mon, 27 Nov 2023 21:07:35 GMT</i></div><img src="{site}/{image}"><div><small>A red square, for testing.</small></div><p>The body of the story is one sentence long.</p>
"""


def embedded_cover(tmp_path: Path, image: str, *extra: str) -> bytes:
    (tmp_path / "site").mkdir(exist_ok=True)
    Image.new("RGB", (2000, 1000), (255, 0, 0)).save(tmp_path / "site" / "red.png")
    (tmp_path / "site" / "broken.png").write_bytes(b"not an image")
    with make_server(tmp_path / "site", port=0) as server:
        server.start()
        source = tmp_path / "story.md"
        source.write_text(ARTICLE.format(site=server.url.rstrip("/"), image=image), encoding="utf-8")
        result = run_cli("episode", source, "--engine", "espeak", *extra)
    assert result.code == 0, result.err
    return bytes(read_id3(source.with_suffix(".mp3")).getall("APIC")[0].data)


def test_lead_image_becomes_the_cover_scaled_to_1400(tmp_path: Path) -> None:
    cover = Image.open(io.BytesIO(embedded_cover(tmp_path, "red.png")))
    assert cover.format == "JPEG" and cover.size == (1400, 700)
    red, _, _ = cover.convert("RGB").getpixel((700, 350))  # type: ignore[misc]
    assert red > 240


def test_unreadable_image_falls_back_to_the_bundled_cover(tmp_path: Path) -> None:
    assert embedded_cover(tmp_path, "broken.png") == default_cover()
    assert embedded_cover(tmp_path, "missing.png") == default_cover()


def test_no_fetch_cover_never_downloads(tmp_path: Path) -> None:
    assert embedded_cover(tmp_path, "red.png", "--no-fetch-cover") == default_cover()
