"""Episode cover art: the article's first image when it can be fetched, else the bundled cover.

Also owns opening any image safely (``open_image``), for episode and feed covers alike: a few
kilobytes of PNG can declare 30000×30000 px (a decompression bomb), so the size in the header is
checked before a single pixel is decoded.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ..errors import ReadError
from ..fetch import download

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 10 * 1024 * 1024
FETCH_TIMEOUT_S = 10.0
COVER_PIXELS = 1400
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


def episode_cover(image_urls: tuple[str, ...], *, fetch: bool) -> bytes:
    """A JPEG for the ID3 APIC frame: the article's lead image if it fetches and decodes, else the default."""
    fetched = fetch_image(image_urls[0]) if fetch and image_urls else None
    return fetched if fetched is not None else default_cover()


def fetch_image(url: str) -> bytes | None:
    """Fetch ``url`` and return it as a JPEG no larger than COVER_PIXELS, or None with a warning.

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
    """Re-encode any image Pillow reads as an RGB JPEG that fits COVER_PIXELS.

    Raises ValueError saying what is wrong with the image ("is not a readable image", "is only 50×50 px").
    """
    with open_image(io.BytesIO(data)) as image:
        if min(image.size) < smallest:
            raise ValueError("is only {}×{} px".format(*image.size))
        image.thumbnail((COVER_PIXELS, COVER_PIXELS))
        output = io.BytesIO()
        image.convert("RGB").save(output, format="JPEG", quality=88)
        return output.getvalue()


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
