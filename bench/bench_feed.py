"""Benchmark: a cold build of a 30-article feed against updates, on the offline voice.

Run:  .venv/bin/python bench/bench_feed.py

The 30 articles (and the one added later) are distinct archive-format files made from the example
article: each takes its own sample of the example's paragraphs and headings in its own order,
with its own title, link and date. Prints wall time, clips synthesised (clip-cache entries
created; the cache starts empty), segments read and episode audio for: the cold build, a rebuild with nothing
new, and an update that adds one article.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import sys
import tempfile
import time
from pathlib import Path

from audiocast.feedbuild import BuildOptions, BuildReport, FeedConfig, build_feed, load_feed_config
from audiocast.feedbuild.state import load_state
from audiocast.sources import read_source

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "voa-blinken-nato-2023-11-27.md"
ARTICLES = 30


def write_articles(folder: Path, numbers: range) -> None:
    """Distinct articles: each paragraph a seeded new combination of the example's sentences, so no
    two articles share a segment (and the clip cache cannot make a cold build look cheap)."""
    example = read_source(str(EXAMPLE))
    sentences = [s + "。" for block in example.blocks if block.kind == "paragraph" for s in block.text.split("。") if s]
    headings = [block.text for block in example.blocks if block.kind == "heading"]
    first = dt.datetime(2024, 1, 1, 8, tzinfo=dt.UTC)
    for number in numbers:
        chooser = random.Random(number)
        paragraphs = ["".join(chooser.sample(sentences, k=3)) for _ in range(5)]
        paragraphs.insert(2, f"<strong>{chooser.choice(headings)}</strong>")
        published = first + dt.timedelta(days=number)
        text = (
            f"<!--{int(published.timestamp() * 1000)}-->\n"
            f"[{example.title}（第{number}篇）](https://www.example.org/a/bench-{number}.html)\n------\n\n"
            f"<div><i>{email.utils.format_datetime(published, usegmt=True)}</i></div>"
            f"<p>{'<br /><br />'.join(paragraphs)}</p>\n"
        )
        (folder / f"article-{number:02d}.md").write_text(text, encoding="utf-8")


def write_definition(folder: Path, source: Path, *, engine: str, keep: int) -> Path:
    """The example feed's definition, reading ``source`` into ``folder/out`` with ``engine``."""
    definition = folder / "bench.toml"
    definition.write_text(
        (ROOT / "feeds" / "example.toml").read_text(encoding="utf-8")
        .replace('source = "../examples"', f'source = "{source}"')
        .replace('output = "../public/example"', f'output = "{folder / "out"}"')
        .replace('engine = "auto"', f'engine = "{engine}"')
        .replace("keep = 20", f"keep = {keep}"),
        encoding="utf-8",
    )  # fmt: skip
    return definition


def timed_build(config: FeedConfig, cache: Path) -> tuple[BuildReport, float, int]:
    before = sum(1 for _ in cache.rglob("*.clip"))
    start = time.perf_counter()
    report = build_feed(config, BuildOptions(cache_dir=cache))
    wall = time.perf_counter() - start
    return report, wall, sum(1 for _ in cache.rglob("*.clip")) - before


def audio_seconds(config: FeedConfig) -> float:
    state = load_state(config.output)
    return sum(record.episode.duration_ms for record in state.episodes) / 1000 if state else 0.0


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        articles = folder / "articles"
        articles.mkdir()
        write_articles(articles, range(1, ARTICLES + 1))
        config = load_feed_config(write_definition(folder, articles, engine="espeak", keep=100))
        cache = folder / "cache"
        cache.mkdir()

        print(f"feed of {ARTICLES} articles, offline voice (espeak-ng), clip cache starting empty")
        columns = ("wall", 7), ("episodes made", 14), ("segments read", 14), ("clips synthesised", 18), ("audio", 7)
        print(f"  {'build':<26}" + "".join(f" {name:>{width}}" for name, width in columns))
        rows: list[tuple[str, float, BuildReport, int, float]] = []
        report, wall, clips = timed_build(config, cache)
        rows.append(("cold build", wall, report, clips, audio_seconds(config)))
        report, wall, clips = timed_build(config, cache)
        rows.append(("rebuild, nothing new", wall, report, clips, 0.0))
        write_articles(articles, range(ARTICLES + 1, ARTICLES + 2))
        before = audio_seconds(config)
        report, wall, clips = timed_build(config, cache)
        rows.append(("update: one article added", wall, report, clips, audio_seconds(config) - before))
        for name, wall, report, clips, audio in rows:
            made = len(report.plan.to_make)
            print(f"  {name:<26} {wall:>6.2f}s {made:>14} {report.segments:>14} {clips:>18} {audio:>6.0f}s")
        cold, update = rows[0][1], rows[2][1]
        print(f"  update / cold wall time: {100 * update / cold:.1f}% ({cold / update:.0f}x faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
