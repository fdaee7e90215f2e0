"""Cover art: a generated square cover with the show's title, and normalising a given cover.

Apple wants artwork 1400–3000 px square, JPEG or PNG, RGB (podcasters.apple.com/support/823), so
everything this module writes is an RGB JPEG inside that range. Titles are drawn with a CJK font
when the title needs one and one is installed (Debian's fonts-wqy-microhei); when no installed font
covers the title's characters, the cover is drawn without text rather than with "tofu" boxes.

Output is deterministic (same title, same bytes), so rebuilding a feed does not change its art URL.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import re
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..atomic import write_bytes
from ..errors import ReadError
from ..text import CJK, HANGUL
from .artwork import MAX_ART_PIXELS, MIN_ART_PIXELS, ImageTooLarge, open_image

log = logging.getLogger(__name__)

FEED_COVER_PX = 1400

_BACKGROUND = (24, 46, 72)
_ACCENT = (242, 169, 59)
_INK = (250, 248, 240)

# Fonts tried in order; the first that exists and covers every character of the title wins.
_FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)

Font = ImageFont.FreeTypeFont


def cover_image(title: str, size: int = FEED_COVER_PX) -> Image.Image:
    """A square RGB cover of ``size`` px: a band of accent colour, waves and the title.

    >>> cover_image("Morning brief", 300).size
    (300, 300)
    """
    image = Image.new("RGB", (size, size), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    _draw_motif(draw, size)
    font_file = _font_covering(title)
    if font_file is None:
        log.info("no installed font covers the title %r; the cover is drawn without text", title)
    else:
        _draw_title(draw, title, font_file, size)
    return image


def write_cover(folder: Path, title: str, given: Path | None) -> str:
    """Write the show's cover into ``folder`` and return its file name.

    The name carries a hash of the bytes (``cover-1a2b3c4d.jpg``) because Apple caches art by URL:
    new art must get a new address (podcast-feed-standards §1.2). A ``given`` image is centre-cropped
    to a square and scaled into 1400–3000 px; without one, or when it is too large to decode, a
    cover is drawn from ``title``.
    """
    image = _given_cover(given) if given is not None else None
    data = _jpeg(image if image is not None else cover_image(title))
    name = f"cover-{hashlib.sha256(data).hexdigest()[:8]}.jpg"
    destination = folder / name
    if not destination.exists() or destination.read_bytes() != data:
        write_bytes(destination, data)
    return name


def _given_cover(path: Path) -> Image.Image | None:
    """The given cover normalised, or None (with a warning) when it is too large to decode."""
    try:
        with open_image(path) as opened:
            image = opened.convert("RGB")
    except ImageTooLarge as exc:
        log.warning("%s %s; the cover is drawn from the title instead", path, exc)
        return None
    except ValueError as exc:
        raise ReadError(f"{path}: not a readable image; give a JPEG or PNG cover") from exc
    return _normalised(path, image)


def _normalised(path: Path, image: Image.Image) -> Image.Image:
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    square = image.crop((left, top, left + side, top + side))
    target = min(max(side, MIN_ART_PIXELS), MAX_ART_PIXELS)
    if target != side:
        log.info("%s: cover scaled from %d to %d px (Apple wants 1400–3000)", path, side, target)
        square = square.resize((target, target), Image.Resampling.LANCZOS)
    return square


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88, optimize=True)
    return buffer.getvalue()


def _draw_motif(draw: ImageDraw.ImageDraw, size: int) -> None:
    """A top accent band and concentric arcs (a "sound" motif) in the lower right."""
    draw.rectangle((0, 0, size, size // 24), fill=_ACCENT)
    centre_x, centre_y = int(size * 0.82), int(size * 0.86)
    for ring in range(1, 5):
        radius = ring * size // 16
        box = (centre_x - radius, centre_y - radius, centre_x + radius, centre_y + radius)
        draw.arc(box, start=200, end=340, fill=_ACCENT, width=max(2, size // 70))
    dot = size // 40
    draw.ellipse((centre_x - dot, centre_y - dot, centre_x + dot, centre_y + dot), fill=_ACCENT)


def _draw_title(draw: ImageDraw.ImageDraw, title: str, font_file: str, size: int) -> None:
    """Wrap and draw the title left-aligned in the upper part, shrinking it until it fits."""
    margin = size // 12
    room = int(size * 0.48)
    for points in (size // 9, size // 11, size // 14, size // 18, size // 24):
        font = _font(font_file, points)
        lines = _wrap(title, font, size - 2 * margin)
        line_height = int(points * 1.25)
        if len(lines) * line_height <= room:
            break
    fitting = max(1, room // line_height)
    if len(lines) > fitting:
        lines = [*lines[: fitting - 1], lines[fitting - 1].rstrip() + "…"]
    top = margin + size // 24
    for index, line in enumerate(lines):
        draw.text((margin, top + index * line_height), line, font=font, fill=_INK)


# A CJK character may break anywhere, but closing punctuation stays on its line (kinsoku);
# other text breaks between words.
_CJK = CJK + HANGUL
_CLOSING = "，。、；：！？）」』》〉】"
_TOKENS = re.compile(rf"\s+|[{_CJK}][{_CLOSING}]*|[^\s{_CJK}]+")


def _wrap(title: str, font: Font, width: int) -> list[str]:
    """Greedy line breaking over words and single CJK characters.

    >>> _wrap("ab cd", _font(_FONT_FILES[0], 10), 1000)
    ['ab cd']
    """
    lines: list[str] = []
    current = ""
    for token in _TOKENS.findall(title.strip()):
        candidate = current + token
        if current.strip() and not token.isspace() and font.getlength(candidate) > width:
            lines.append(current.rstrip())
            current = token
        else:
            current = candidate
    if current.strip():
        lines.append(current.rstrip())
    return lines


@functools.cache
def _font(font_file: str, points: int) -> Font:
    return ImageFont.truetype(font_file, points)


def _font_covering(text: str) -> str | None:
    """The first installed font with a real glyph for every visible character of ``text``."""
    characters = {char for char in text if not char.isspace()}
    for font_file in _FONT_FILES:
        if Path(font_file).is_file() and all(_has_glyph(font_file, char) for char in characters):
            return font_file
    return None


@functools.cache
def _has_glyph(font_file: str, char: str) -> bool:
    """Whether ``font_file`` draws ``char`` as something other than its "missing glyph" box.

    FreeType renders a missing character as glyph 0 (.notdef); comparing with the rendering of a
    private-use code point, which no text font maps, tells the two apart without fontTools.
    """
    font = _font(font_file, 32)
    return _rendered(font, char) != _rendered(font, "\ue000")


def _rendered(font: Font, char: str) -> bytes:
    canvas = Image.new("L", (48, 48))
    ImageDraw.Draw(canvas).text((4, 4), char, font=font, fill=255)
    return canvas.tobytes()
