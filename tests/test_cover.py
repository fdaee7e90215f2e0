"""Cover art: the article's lead image fetched over HTTP (from a real server on 127.0.0.1), else the default."""

from __future__ import annotations

import io
import logging
import struct
import subprocess
import sys
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image

from audiocast.publish.artwork import default_cover, lead_art
from audiocast.publish.cover import write_cover
from audiocast.serve import make_server

from .conftest import EXAMPLE, read_id3, run_cli

ARTICLE = """<!--1701121143000-->
[A story with a picture]({site}/a/story.html)
------
<div><i>Mon, 27 Nov 2023 21:07:35 GMT</i></div><img src="{image}"><div><small>A red square, for testing.</small></div><p>The body of the story is one sentence long.</p>
"""


def embedded_cover(tmp_path: Path, image: str, *extra: str | Path) -> bytes:
    return cover_and_warnings(tmp_path, image, *extra)[0]


def cover_and_warnings(tmp_path: Path, image: str, *extra: str | Path) -> tuple[bytes, list[str]]:
    """The cover embedded in an episode of an article whose lead image is ``image``, and the warnings."""
    (tmp_path / "site").mkdir(exist_ok=True)
    Image.new("RGB", (2000, 1000), (255, 0, 0)).save(tmp_path / "site" / "red.png")
    Image.new("RGB", (50, 50), (255, 0, 0)).save(tmp_path / "site" / "tiny.png")
    (tmp_path / "site" / "broken.png").write_bytes(b"not an image")
    (tmp_path / "site" / "bomb.png").write_bytes(BOMB)
    with make_server(tmp_path / "site", port=0) as server:
        server.start()
        source = tmp_path / "story.md"
        site = server.url.rstrip("/")
        source.write_text(ARTICLE.format(site=site, image=image.format(site=site)), encoding="utf-8")
        result = run_cli("episode", source, "--engine", "espeak", *extra)
    assert result.code == 0, result.err
    warned = [line for line in result.err.splitlines() if line.startswith("warning:")]
    return bytes(read_id3(source.with_suffix(".mp3")).getall("APIC")[0].data), warned


def test_lead_image_becomes_square_art_padded_not_stretched(tmp_path: Path) -> None:
    cover = Image.open(io.BytesIO(embedded_cover(tmp_path, "{site}/red.png")))
    assert cover.format == "JPEG" and cover.size == (2000, 2000)
    assert_padded(cover.convert("RGB"), (2000, 1000))


def assert_padded(art: Image.Image, picture: tuple[int, int]) -> None:
    """``art`` holds a red picture of size ``picture`` (scaled, not stretched) centred on black."""
    scale = art.width / max(picture)
    width, height = round(picture[0] * scale), round(picture[1] * scale)
    left, top = (art.width - width) // 2, (art.height - height) // 2
    inside = [(left + 8, top + 8), (left + width - 9, top + height - 9), (art.width // 2, art.height // 2)]
    middle = art.width // 2
    around = [(middle, top - 8), (middle, top + height + 7), (left - 8, middle), (left + width + 7, middle)]
    outside = [(x, y) for x, y in around if min(x, y) >= 0 and max(x, y) < art.width]
    for point in inside:
        red, green, blue = art.getpixel(point)  # type: ignore[misc]
        assert red > 230 and green < 30 and blue < 30, (point, art.getpixel(point))
    assert outside  # a picture that is not square leaves a padded band
    for point in outside:
        assert max(art.getpixel(point)) < 30, (point, art.getpixel(point))  # type: ignore[arg-type]


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


def huge_png(width: int, height: int) -> bytes:
    """A black 1-bit PNG of ``width``×``height`` px, written by hand: its rows of zeros compress to
    almost nothing, so a small file declares an image far too large to decode (a decompression bomb).
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = bytes(1 + (width + 7) // 8)  # filter byte 0, then the packed pixels
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


BOMB = huge_png(30_000, 30_000)  # 900 megapixels in about 110 KB
BIG = huge_png(12_000, 12_000)  # 144 megapixels: past Pillow's warning, short of its refusal


def test_a_decompression_bomb_lead_image_is_the_default_cover(tmp_path: Path) -> None:
    assert len(BOMB) < 200_000
    cover, warned = cover_and_warnings(tmp_path, "{site}/bomb.png")
    assert cover == default_cover()
    assert len(warned) == 1 and warned[0].endswith("bomb.png is larger than 50 megapixels; using the default cover")


def test_a_decompression_bomb_cover_option_is_one_warning_and_the_default_cover(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(BOMB)
    output = tmp_path / "x.mp3"
    result = run_cli("episode", EXAMPLE, "--engine", "espeak", "--cover", bomb, "-o", output)
    assert result.code == 0, result.err
    assert result.err.splitlines() == [f"warning: {bomb} is larger than 50 megapixels; using the default cover"]
    assert bytes(read_id3(output).getall("APIC")[0].data) == default_cover()


def test_a_decompression_bomb_feed_cover_is_one_warning_and_the_drawn_cover(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(BOMB)
    drawn = write_cover(tmp_path / "drawn", "Show", None)
    assert write_cover(tmp_path / "given", "Show", bomb) == drawn
    warned = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert warned == [f"{bomb} is larger than 50 megapixels; the cover is drawn from the title instead"]


def test_an_image_past_pillows_warning_is_refused_quietly_without_decoding(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(BIG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert write_cover(tmp_path / "given", "Show", big) == write_cover(tmp_path / "drawn", "Show", None)
    assert not caught  # no raw DecompressionBombWarning
    # Decoding it takes 144 MB or more; refused from its header, the process does not grow.
    growth = subprocess.run(
        [sys.executable, "-c", PEAK_GROWTH_KB, str(big)], capture_output=True, text=True, check=True
    ).stdout
    assert int(growth) < 20_000, f"peak resident size grew by {growth} KB"


# Measured in a fresh process, from after the imports: Pillow's pixels live outside tracemalloc's view.
PEAK_GROWTH_KB = """
import resource, sys
from pathlib import Path
from audiocast.publish.artwork import to_jpeg
data = Path(sys.argv[1]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    to_jpeg(data)
except ValueError:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


@pytest.mark.parametrize(
    ("name", "size", "side"),
    [
        ("wide.jpg", (1600, 900), 1600),
        ("tall.jpg", (600, 1800), 1800),
        ("small.png", (400, 300), 1400),
        ("huge.jpg", (4000, 1000), 3000),
    ],
)
def test_jpeg_and_png_lead_images_become_square_art_within_apples_sizes(
    tmp_path: Path, name: str, size: tuple[int, int], side: int
) -> None:
    (tmp_path / "site").mkdir()
    Image.new("RGB", size, (255, 0, 0)).save(tmp_path / "site" / name)
    art = Image.open(io.BytesIO(embedded_cover(tmp_path, "{site}/" + name, "--cache-dir", tmp_path / "cache")))
    assert art.format == "JPEG" and art.size == (side, side)
    assert_padded(art.convert("RGB"), size)


def test_the_lead_image_is_fetched_once_and_kept_by_its_address(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    Image.new("RGB", (900, 600), (255, 0, 0)).save(tmp_path / "site" / "photo.jpg")
    with make_server(tmp_path / "site", port=0) as server:
        server.start()
        urls = (server.url + "photo.jpg",)
        first = lead_art(urls, tmp_path / "cache")
        assert first is not None and lead_art(urls, None) == first
    # the server is gone: the cache still answers for the address, and only for it
    assert lead_art(urls, tmp_path / "cache") == first
    assert lead_art(urls, None) is None
    assert lead_art((urls[0] + "?v=2",), tmp_path / "cache") is None
