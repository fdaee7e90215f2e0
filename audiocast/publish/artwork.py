"""Episode art: the article's lead image when it can be fetched, else the default cover.

The lead image is fetched once per URL: the finished art is kept in the clip cache's folder
(``<cache>/art/<sha256 of the URL>.jpg``), so rebuilding an episode neither fetches it again nor
changes a byte of it. A failed fetch is not kept, so a later build (online again) tries again.

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
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ..atomic import write_bytes
from ..errors import ReadError
from ..fetch import download
from ..models import Article

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 10 * 1024 * 1024
FETCH_TIMEOUT_S = 10.0
MIN_ART_PIXELS, MAX_ART_PIXELS = 1400, 3000
"""Apple's square artwork sides (podcast-feed-standards §1.2): at least 1400, at most 3000 px."""
PAD_COLOUR = (0, 0, 0)
"""What fills out a picture that is not square: the whole photo stays visible, undistorted."""
ART_CACHE_DIR = "art"
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


def episode_cover(image_urls: tuple[str, ...], *, fetch: bool, cache_dir: Path | None = None) -> bytes:
    """A JPEG for the ID3 APIC frame: the article's lead art if it fetches and decodes, else the default."""
    fetched = lead_art(image_urls, cache_dir) if fetch else None
    return fetched if fetched is not None else default_cover()


def lead_art(image_urls: tuple[str, ...], cache_dir: Path | None) -> bytes | None:
    """The first image's square JPEG art, from the cache under ``cache_dir`` or fetched (and then
    cached); None, with one warning, when there is no image or it cannot be fetched or used."""
    if not image_urls:
        return None
    url = image_urls[0]
    cached = cached_art_path(cache_dir, url)
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    art = fetch_image(url)
    if art is not None and cached is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs a fetch
            write_bytes(cached, art)
    return art


def lead_caption(article: Article) -> str:
    """The caption (or alt text) of the article's lead image, as its figure gives it; else ``""``."""
    lead = article.images[0] if article.images else None
    return next((block.text for block in article.blocks if block.kind == "figure" and block.src == lead), "")


def cached_art_path(cache_dir: Path | None, url: str) -> Path | None:
    """Where the art of the image at ``url`` is kept under ``cache_dir`` (None: no cache)."""
    if cache_dir is None:
        return None
    return cache_dir / ART_CACHE_DIR / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()}.jpg"


def fetch_image(url: str) -> bytes | None:
    """Fetch ``url`` and return it as square JPEG art (``to_jpeg``), or None with a warning.

    ``download`` fetches only http(s) (an article must not make audiocast read ``file://`` paths from
    this machine), an IRI as its URI, and turns every failure into a ``ReadError``.
    """
    try:
        data = download(url, timeout=FETCH_TIMEOUT_S, max_bytes=MAX_IMAGE_BYTES, accept="image/*").body
    except ReadError as exc:
        log.warning("cover image %s; using the default cover", exc)
        return None
    if len(data) > MAX_IMAGE_BYTES:
        log.warning("cover image %s is over %d MB; using the default cover", url, MAX_IMAGE_BYTES // 2**20)
        return None
    try:
        return to_jpeg(data, smallest=SMALLEST_COVER_PIXELS)
    except ValueError as exc:
        log.warning("cover image %s %s; using the default cover", url, exc)
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
