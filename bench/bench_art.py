"""What making episode art costs: decoding a lead image, squaring it and encoding the JPEG; and what
a chapter image (the art scaled to 640 px) costs in time and in bytes, each copy embedded in the MP3.

Run: .venv/bin/python bench/bench_art.py
Prints the median of 5 runs per photo size, and the cost of a cache hit (reading the finished art).
"""

from __future__ import annotations

import functools
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from audiocast.publish.artwork import cached_art_path, chapter_jpeg, lead_art, to_jpeg

SIZES = ((1200, 800), (2000, 1000), (4000, 3000))
RUNS = 5


def photo(width: int, height: int) -> bytes:
    """A JPEG with smooth gradients and detail, closer to a photo than a flat colour."""
    image = Image.radial_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    buffer = io.BytesIO()
    Image.blend(image, noise, 0.3).save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


def median_seconds(work: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    print(f"episode art from a lead image (median of {RUNS} runs)")
    print("       photo     bytes   square  to_jpeg  art bytes  chapter bytes  chapter_jpeg")
    for width, height in SIZES:
        data = photo(width, height)
        art = to_jpeg(data)
        side = Image.open(io.BytesIO(art)).width
        seconds = median_seconds(functools.partial(to_jpeg, data))
        chapter = chapter_jpeg(art)
        chapter_seconds = median_seconds(functools.partial(chapter_jpeg, art))
        smaller = len(art) / len(chapter)
        print(f"  {width:>4}×{height:<5} {len(data):>8}  {side:>5} px  {seconds * 1000:6.1f} ms"
              f"  {len(art):>9}  {len(chapter):>13}  {chapter_seconds * 1000:9.1f} ms ({smaller:.1f}× smaller)")
    with tempfile.TemporaryDirectory() as folder:
        url = "http://127.0.0.1:9/photo.jpg"  # never fetched: the cache answers
        cached = cached_art_path(Path(folder), url)
        assert cached is not None
        cached.parent.mkdir(parents=True)
        cached.write_bytes(to_jpeg(photo(2000, 1000)))
        seconds = median_seconds(lambda: lead_art((url,), Path(folder)))
        print(f"  cache hit (2000×2000 art): {seconds * 1000:.2f} ms")


if __name__ == "__main__":
    main()
