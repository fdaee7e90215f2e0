"""Benchmark: article-body extraction on the development pages, against trafilatura alone.

Run:  .venv/bin/python bench/bench_extraction.py [FOLDER]

FOLDER holds ``html/<id>.html.gz``, ``ground-truth.json`` and ``score.py`` (default: the first of
``../shared/extraction`` next to the checkout or one level up that exists). Three extractors run
in this process on the same pages and are scored by that ``score.py``: audiocast's page reader
(what a listener hears as the article: headings, paragraphs, quotes and list items, without
figure captions), trafilatura alone (``extract(html, include_comments=False)``), and the reader
audiocast had before trafilatura (the densest-element root finder, still its fallback). Prints
F1, precision, recall, pages below 0.5, median and 90th-percentile wall time per page, median CPU
time per page (steadier on a shared machine), and the worst pages.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import trafilatura

from audiocast.errors import ReadError
from audiocast.models import Article, Block
from audiocast.sources.page import fallback_blocks, parse_page, read_page
from audiocast.sources.page_meta import page_title

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = (ROOT.parent / "shared" / "extraction", ROOT.parent.parent / "shared" / "extraction")
ARTICLE_KINDS = frozenset({"heading", "paragraph", "quote", "list_item"})
"""The blocks a listener hears as the article; figures are asides, which the truth leaves out."""


@dataclass(frozen=True)
class Run:
    name: str
    metrics: dict[str, Any]
    per_page: dict[str, float]
    seconds: list[float]
    cpu_seconds: list[float]


def dataset_folder(argument: str | None = None) -> Path | None:
    """The development pages' folder, or None when it is not on this machine."""
    folders = [Path(argument)] if argument else list(CANDIDATES)
    return next((folder for folder in folders if (folder / "ground-truth.json").is_file()), None)


def load_scorer(folder: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("extraction_score", folder / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pages(folder: Path) -> tuple[dict[str, Any], dict[str, str]]:
    truth: dict[str, Any] = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {page: gzip.decompress((folder / "html" / f"{page}.html.gz").read_bytes()).decode() for page in truth}
    return truth, pages


def spoken_text(blocks: tuple[Block, ...]) -> str:
    return "\n".join(block.text for block in blocks if block.kind in ARTICLE_KINDS)


def audiocast_body(html: str) -> str:
    try:
        article: Article = read_page(html, "page")
    except ReadError:
        return ""
    return spoken_text(article.blocks)


def trafilatura_body(html: str) -> str:
    return trafilatura.extract(html, include_comments=False) or ""


def previous_reader_body(html: str) -> str:
    return spoken_text(fallback_blocks(html, page_title(parse_page(html))))


def run(name: str, extract: Callable[[str], str], folder: Path) -> Run:
    scorer = load_scorer(folder)
    truth, pages = load_pages(folder)
    predictions: dict[str, dict[str, str]] = {}
    seconds: list[float] = []
    cpu_seconds: list[float] = []
    for page, html in pages.items():
        start, cpu_start = time.perf_counter(), time.process_time()
        predictions[page] = {"articleBody": extract(html)}
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu_start)
    per_page = {}
    for page in pages:
        tp, fp, fn = scorer.page_counts(truth[page].get("articleBody", ""), predictions[page]["articleBody"])
        per_page[page] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return Run(name, scorer.score(truth, predictions, sorted(truth)), per_page, seconds, cpu_seconds)


def report(runs: list[Run], truth: dict[str, Any]) -> None:
    print(f"{'extractor':<34} {'F1':>6} {'P':>6} {'R':>6} {'<0.5':>5} {'median':>8} {'p90':>8} {'cpu med':>8}")
    for result in runs:
        m, times = result.metrics, sorted(result.seconds)
        print(
            f"{result.name:<34} {m['f1']:6.4f} {m['precision']:6.4f} {m['recall']:6.4f} {m['below_half']:5d} "
            f"{statistics.median(times) * 1000:6.1f}ms {times[int(len(times) * 0.9)] * 1000:6.1f}ms "
            f"{statistics.median(result.cpu_seconds) * 1000:6.1f}ms"
        )
    ours = runs[0]
    print(f"worst pages for {ours.name}:")
    for page, f1 in sorted(ours.per_page.items(), key=lambda item: item[1])[:8]:
        print(f"  {f1:.3f}  {truth[page]['url'][:100]}")


def main() -> int:
    folder = dataset_folder(sys.argv[1] if len(sys.argv) > 1 else None)
    if folder is None:
        print("error: no extraction pages found (give the folder holding ground-truth.json)", file=sys.stderr)
        return 1
    truth, _ = load_pages(folder)
    audiocast_body("<p>warm up</p>")  # imports and first-call set-up are not per-page costs
    trafilatura_body("<p>warm up</p>")
    runs = [
        run("audiocast (trafilatura + blocks)", audiocast_body, folder),
        run("trafilatura 2 alone", trafilatura_body, folder),
        run("audiocast before (root finder)", previous_reader_body, folder),
    ]
    print(f"{len(truth)} pages from {folder}")
    report(runs, truth)
    return 0


if __name__ == "__main__":
    sys.exit(main())
