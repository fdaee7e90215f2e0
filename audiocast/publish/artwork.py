"""Episode art: the article's lead image when it can be fetched, else the default cover.

The lead image is fetched once per URL: the finished art is kept in the clip cache's folder
(``<cache>/art/<sha256 of the URL>.jpg``), so rebuilding an episode neither fetches it again nor
changes a byte of it. A failed fetch is not kept, so a later build (online again) tries again.

The same pictures serve as chapter images: each figure read as an aside gets a smaller copy of its
art (``chapter_jpeg``), fetched and cached the same way, the lead image and the figures each fetched
once per build (``article_art``).

Also owns opening any image safely (``open_image``), for episode and feed covers alike: a few
kilobytes of PNG can declare 30000×30000 px (a decompression bomb), so the size in the header is
checked before a single pixel is decoded.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from PIL import Image, UnidentifiedImageError

from ..atomic import write_bytes
from ..errors import ReadError
from ..fetch import download
from ..links import safe_link
from ..models import Article

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 10 * 1024 * 1024
FETCH_TIMEOUT_S = 10.0
MIN_ART_PIXELS, MAX_ART_PIXELS = 1400, 3000
"""Apple's square artwork sides (podcast-feed-standards §1.2): at least 1400, at most 3000 px."""
PAD_COLOUR = (0, 0, 0)
"""What fills out a picture that is not square: the whole photo stays visible, undistorted."""
ART_CACHE_DIR = "art"
CHAPTER_ART_PIXELS = 640
"""The side of a chapter image, embedded in the MP3's CHAP frame as well as published: a phone shows
it at most screen-wide, and at 640 px a news photo costs 65–95 KB (BENCHMARKS.md), a few of them a
small part of an episode (one minute of speech at 64 kbps is 480 KB), where 1400 px art costs 3.5
times as much in every copy of the MP3."""
SMALLEST_COVER_PIXELS = 300
"""A lead image narrower or shorter than this is an icon or a tracker, not cover art."""
MAX_IMAGE_MEGAPIXELS = 50
"""Larger images are refused before decoding: a 50-megapixel photo already outdoes any cover, and
decoding one costs 150 MB. Pillow's own bomb limits (a warning from 89 MP, an error from 179 MP)
lie above it, so ``open_image`` silences the one and turns the other into this refusal."""


class ImageTooLarge(ValueError):
    """An image whose header declares more than MAX_IMAGE_MEGAPIXELS; the caller uses a default cover."""


def default_cover() -> bytes:
    """The bundled 1400×1400 JPEG cover."""
    return resources.files("audiocast.data").joinpath("cover.jpg").read_bytes()


@dataclass(frozen=True)
class ChapterPicture:
    """A figure's picture as its chapter shows it."""

    jpeg: bytes
    """Square JPEG, CHAPTER_ART_PIXELS a side at most: embedded in the MP3's CHAP frame."""
    address: str
    """Where the JSON chapters' ``img`` finds it."""


class ImageUse(NamedTuple):
    """What an image is fetched for, as a warning about it says: what it is, and what is used instead."""

    what: str
    instead: str


LEAD_IMAGE = ImageUse("cover image", "using the default cover")
FIGURE_IMAGE = ImageUse("chapter image", "its chapter has no picture")


def lead_art(image_urls: tuple[str, ...], cache_dir: Path | None) -> bytes | None:
    """The first image's square JPEG art, from the cache under ``cache_dir`` or fetched (and then
    cached); None, with one warning, when there is no image or it cannot be fetched or used."""
    return cached_art(image_urls[0], cache_dir, LEAD_IMAGE) if image_urls else None


def article_art(lead: str | None, figures: Sequence[str], cache_dir: Path | None) -> dict[str, bytes]:
    """Square JPEG art by address, for the ``lead`` image and each of ``figures`` that can be fetched
    and used: each address once (the lead image is often a figure too), with one warning for each
    that cannot, saying what is used instead."""
    art: dict[str, bytes] = {}
    for url in dict.fromkeys([*([lead] if lead else []), *figures]):
        found = cached_art(url, cache_dir, LEAD_IMAGE if url == lead else FIGURE_IMAGE)
        if found is not None:
            art[url] = found
    return art


def chapter_pictures(art: Mapping[str, bytes], figures: Sequence[str]) -> dict[str, ChapterPicture]:
    """Each figure's picture found in ``art``, published at the address the article gives it (for an
    episode made on its own: it has no address of its own to publish the picture at)."""
    return {
        url: ChapterPicture(chapter_jpeg(art[url]), safe_link(url) or url)
        for url in dict.fromkeys(figures)
        if url in art
    }


def cached_art(url: str, cache_dir: Path | None, use: ImageUse) -> bytes | None:
    """The square JPEG art of the image at ``url``, from the cache under ``cache_dir`` or fetched (and
    then cached); None, with one warning about its ``use``, when it cannot be fetched or used."""
    cached = cached_art_path(cache_dir, url)
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    art = fetch_image(url, use)
    if art is not None and cached is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs a fetch
            write_bytes(cached, art)
    return art


def chapter_jpeg(art: bytes) -> bytes:
    """Square ``art`` (as ``to_jpeg`` made it) scaled down to CHAPTER_ART_PIXELS a side."""
    with open_image(io.BytesIO(art)) as image:
        side = min(image.width, CHAPTER_ART_PIXELS)
        image.draft("RGB", (side, side))  # JPEG decodes at 1/2, 1/4… scale, no smaller than asked: 3–5× faster
        output = io.BytesIO()
        image.convert("RGB").resize((side, side), Image.Resampling.LANCZOS).save(output, format="JPEG", quality=85)
        return output.getvalue()


def lead_caption(article: Article) -> str:
    """The caption (or alt text) of the article's lead image, as its figure gives it; else ``""``."""
    lead = article.images[0] if article.images else None
    return next((block.text for block in article.blocks if block.kind == "figure" and block.src == lead), "")


def cached_art_path(cache_dir: Path | None, url: str) -> Path | None:
    """Where the art of the image at ``url`` is kept under ``cache_dir`` (None: no cache)."""
    if cache_dir is None:
        return None
    return cache_dir / ART_CACHE_DIR / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()}.jpg"


def fetch_image(url: str, use: ImageUse = LEAD_IMAGE) -> bytes | None:
    """Fetch ``url`` and return it as square JPEG art (``to_jpeg``), or None with a warning saying
    what is wrong with it and what its ``use`` takes instead.

    ``download`` fetches only http(s) (an article must not make audiocast read ``file://`` paths from
    this machine), an IRI as its URI, and turns every failure into a ``ReadError``.
    """
    try:
        data = download(url, timeout=FETCH_TIMEOUT_S, max_bytes=MAX_IMAGE_BYTES, accept="image/*").body
    except ReadError as exc:
        log.warning("%s %s; %s", use.what, exc, use.instead)
        return None
    if len(data) > MAX_IMAGE_BYTES:
        log.warning("%s %s is over %d MB; %s", use.what, url, MAX_IMAGE_BYTES // 2**20, use.instead)
        return None
    try:
        return to_jpeg(data, smallest=SMALLEST_COVER_PIXELS)
    except ValueError as exc:
        log.warning("%s %s %s; %s", use.what, url, exc, use.instead)
        return None


def to_jpeg(data: bytes, *, smallest: int = 1) -> bytes:
    """Re-encode any image Pillow reads as square RGB JPEG art (``squared``).

    Raises ValueError saying what is wrong with the image ("is not a readable image", "is only 50×50 px").
    """
    with open_image(io.BytesIO(data)) as image:
        if min(image.size) < smallest:
            raise ValueError("is only {}×{} px".format(*image.size))
        output = io.BytesIO()
        squared(image.convert("RGB")).save(output, format="JPEG", quality=88)
        return output.getvalue()


def squared(image: Image.Image) -> Image.Image:
    """``image`` whole and undistorted in the middle of a square of PAD_COLOUR, its longer side
    scaled into MIN_ART_PIXELS–MAX_ART_PIXELS (Apple's artwork sizes)."""
    longer = max(image.size)
    side = min(max(longer, MIN_ART_PIXELS), MAX_ART_PIXELS)
    if side != longer:
        scaled = (max(1, round(image.width * side / longer)), max(1, round(image.height * side / longer)))
        image = image.resize(scaled, Image.Resampling.LANCZOS)
    square = Image.new("RGB", (side, side), PAD_COLOUR)
    square.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return square


@contextlib.contextmanager
def open_image(source: io.BytesIO | Path) -> Iterator[Image.Image]:
    """An image opened from its header only, refused before decoding when it is too large.

    Raises ImageTooLarge over MAX_IMAGE_MEGAPIXELS, and ValueError("is not a readable image") when
    Pillow cannot open or decode it (also inside the block, where the pixels are decoded).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(source)
    except Image.DecompressionBombError as exc:
        raise _too_large() from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError("is not a readable image") from exc
    with opened as image:
        width, height = image.size
        if width * height > MAX_IMAGE_MEGAPIXELS * 1_000_000:
            raise _too_large()
        try:
            yield image
        except OSError as exc:  # truncated or corrupt pixel data, met when decoding
            raise ValueError("is not a readable image") from exc


def _too_large() -> ImageTooLarge:
    return ImageTooLarge(f"is larger than {MAX_IMAGE_MEGAPIXELS} megapixels")
