"""Benchmark of the reading rules: how much text each rule removed from a folder of articles or a feed.

Run:  .venv/bin/python bench/bench_rules.py [--show] PATH [PATH ...]

PATH is a folder (every file in it is read as one article, as ``audiocast episode`` would), an
article file, or a feed file (RSS or Atom). For each rule it prints how often it fired, how many
characters it removed and their share of all text (what was read plus what was removed), and
the time reading took. A rule whose share jumps is eating articles: ``--show`` prints the first
few texts each rule removed.
Caption credits are counted as the script would strip them. Without PATH the example article
and the test fixtures are read.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from audiocast.errors import ReadError
from audiocast.models import Article
from audiocast.script.speech import strip_photo_credit
from audiocast.sources import read_source
from audiocast.sources.feed import looks_like_feed, read_feed
from audiocast.tally import Tally, counting

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATHS = [ROOT / "examples", ROOT / "tests" / "data" / "read", ROOT / "tests" / "data" / "feed"]


def articles_in(path: Path) -> tuple[list[Article], list[str]]:
    """The articles a path holds, and one line per input that could not be read."""
    if path.is_dir():
        found: tuple[list[Article], list[str]] = ([], [])
        for child in sorted(path.iterdir()):
            if (child.is_file() and child.suffix not in {".json", ".toml"}) or child.is_dir():
                articles, problems = articles_in(child)
                found[0].extend(articles)
                found[1].extend(problems)
        return found
    if looks_like_feed(path.read_bytes()[:2048]):
        feed = read_feed(str(path))
        return [item.article for item in feed.items], list(feed.skipped)
    try:
        return [read_source(str(path))], []
    except ReadError as exc:
        return [], [str(exc)]


def report(tally: Tally, articles: list[Article], seconds: float, *, show: bool = False) -> str:
    kept = sum(len(block.text) for article in articles for block in article.blocks)
    removed = sum(tally.chars.values())
    total = max(kept + removed, 1)
    lines = [
        f"{len(articles)} articles, {total:,} characters of text, {removed:,} removed ({removed / total:.1%}),"
        f" read in {seconds:.3f} s",
        f"  {'rule':<22}{'fired':>7}{'chars':>10}{'share':>8}",
    ]
    for rule, chars in tally.chars.most_common():
        lines.append(f"  {rule:<22}{tally.fired[rule]:>7}{chars:>10,}{chars / total:>8.2%}")
        if show:
            lines.extend(f"      {sample[:100]!r}" for sample in tally.samples[rule])
    return "\n".join(lines)


def main(arguments: list[str]) -> None:
    show = "--show" in arguments
    paths = [Path(argument) for argument in arguments if argument != "--show"] or DEFAULT_PATHS
    articles: list[Article] = []
    problems: list[str] = []
    start = time.perf_counter()
    with counting() as tally:
        for path in paths:
            found, failed = articles_in(path)
            articles.extend(found)
            problems.extend(failed)
        for article in articles:
            for block in article.blocks:
                if block.kind == "figure":
                    strip_photo_credit(block.text)
    seconds = time.perf_counter() - start
    print(report(tally, articles, seconds, show=show))
    for problem in problems:
        print(f"  not read: {problem}")


if __name__ == "__main__":
    main(sys.argv[1:])
