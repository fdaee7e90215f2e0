"""Benchmark: planning and state cost of a feed build of an archive of 1,000 and 10,000 articles.

Run:  .venv/bin/python bench/bench_state.py [--sizes 1000 10000]

For each size, an archive folder of that many distinct article files (``bench_feed``'s articles) is
planned as a build does it, and the state of a feed holding an episode of every article is written,
loaded and saved. The state cost is measured on the SQLite state and, as the baseline in the same
process, on the JSON state audiocast kept before (one document rewritten, fsynced and renamed
after every finished episode, as ``save_state`` did).

Steps, each in total seconds and in microseconds per article:

- read source: ``read_items`` of the archive folder, the first time (every file parsed, the
  readings cache filled) and again (every file read and hashed, its article taken from the cache);
- record each: every episode recorded as it finishes (SQLite: one row committed per episode;
  JSON: the whole state rewritten after each; above ``--full-json-up-to`` episodes the JSON
  rewrites are timed at 20 evenly spaced sizes and the total integrated from them, since the full
  run takes minutes);
- load state: the state of every episode, loaded and checked;
- plan: ``make_plan`` of every article against that state (nothing new: every episode stays);
- save unchanged: the end of a build with nothing new (SQLite: nothing to write; JSON: one rewrite).

The last table divides each step's time per article at the largest size by the smallest: 1.0 is
linear, 10 (for 1,000 vs 10,000) is quadratic.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bench_feed import write_articles, write_definition  # this folder is first on sys.path when run as a script

from audiocast.atomic import write_text
from audiocast.feedbuild import load_feed_config
from audiocast.feedbuild.build import EPISODES_DIR, _Profiles, _source_hash, make_plan
from audiocast.feedbuild.config import FeedConfig
from audiocast.feedbuild.engine_choice import EngineChoice
from audiocast.feedbuild.sources import read_items
from audiocast.feedbuild.state import (
    JSON_STATE,
    JSON_VERSION,
    EpisodeRecord,
    State,
    StateStore,
    _document,
    load_state,
    open_state,
)
from audiocast.models import Chapter
from audiocast.publish.show import ShowEpisode
from audiocast.sources.feed import SourceItem

ENGINE = "espeak"
_T = TypeVar("_T")
SAMPLED_SIZES = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--full-json-up-to", type=int, default=1_000)
    arguments = parser.parse_args()
    results = {size: run(size, full_json=size <= arguments.full_json_up_to) for size in arguments.sizes}
    print_results(results)
    return 0


def run(size: int, *, full_json: bool) -> dict[str, float]:
    """Seconds per step for an archive of ``size`` articles."""
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        articles = folder / "articles"
        articles.mkdir()
        write_articles(articles, range(size))
        config = load_feed_config(write_definition(folder, articles, engine=ENGINE, keep=size))
        choice = EngineChoice(ENGINE)

        cache = folder / "cache"
        timed(timings, "read source: first", lambda: read_items(str(articles), timeout=30, cache_dir=cache))
        items = timed(
            timings, "read source: again", lambda: read_items(str(articles), timeout=30, cache_dir=cache).items
        )
        profiles = _Profiles(config)
        records = [built_record(config, item, profiles, choice) for item in items]
        guid = "bench-show"

        sqlite_folder = config.output
        with open_state(sqlite_folder, guid) as store:
            timed(timings, "record each: SQLite", lambda: record_each(store, records))
        json_folder = folder / "json"
        json_folder.mkdir()
        json_rewrites = json_record_each if full_json else json_record_each_sampled
        timings["record each: JSON"] = json_rewrites(json_folder, guid, records)

        state = timed(timings, "load state: SQLite", lambda: load_state(sqlite_folder))
        timed(timings, "load state: JSON", lambda: load_state(json_folder))
        assert state is not None and len(state.episodes) == size
        plan = timed(timings, "plan", lambda: make_plan(config, state, items, (), choice))
        assert len(plan.keep) == size, "the bench's records must all stay, as after a finished build"

        with open_state(sqlite_folder, guid) as store:
            timed(timings, "save unchanged: SQLite", lambda: store.keep_only(state.episodes))
        timed(timings, "save unchanged: JSON", lambda: save_json(json_folder, state))
    return timings


def timed(timings: dict[str, float], step: str, work: Callable[[], _T]) -> _T:
    start = time.perf_counter()
    result = work()
    timings[step] = time.perf_counter() - start
    print(f"  {step}: {timings[step]:.2f} s", file=sys.stderr)
    return result


def built_record(config: FeedConfig, item: SourceItem, profiles: _Profiles, choice: EngineChoice) -> EpisodeRecord:
    """The record a build makes for ``item`` (the build's own source hash and engine), with an MP3
    file of the recorded length in the output folder so that the episode stays."""
    audio = f"{EPISODES_DIR}/{item.article.id}.mp3"
    (config.output / audio).parent.mkdir(parents=True, exist_ok=True)
    (config.output / audio).write_bytes(b"\xff")
    stem = audio.removesuffix(".mp3")
    episode = ShowEpisode(
        guid=item.key,
        title=item.article.title,
        link=item.article.link,
        summary=item.article.summary,
        language=item.article.language,
        published=item.article.published,
        audio=audio,
        length=1,
        duration_ms=180_000,
        chapters=(Chapter(item.article.title, 0, 60_000), Chapter("Part two", 60_000, 180_000)),
        sidecars={"vtt": f"{stem}.vtt", "srt": f"{stem}.srt", "chapters": f"{stem}.chapters.json"},
    )
    for name in episode.sidecars.values():
        (config.output / name).write_bytes(b"x")
    source_hash = _source_hash(profiles.of(item), item, config.sound_digest)
    return EpisodeRecord(item.key, source_hash, episode, choice.best())


def record_each(store: StateStore, records: list[EpisodeRecord]) -> None:
    for record in records:
        store.record(record)


def save_json(folder: Path, state: State) -> None:
    """What the JSON-state code did after every episode: the whole document, written atomically."""
    document = {
        "version": JSON_VERSION,
        "podcast_guid": state.podcast_guid,
        "episodes": [_document(record) for record in state.episodes],
    }
    write_text(folder / JSON_STATE, json.dumps(document, ensure_ascii=False, indent=1) + "\n")


def json_record_each(folder: Path, guid: str, records: list[EpisodeRecord]) -> float:
    start = time.perf_counter()
    for done in range(1, len(records) + 1):
        save_json(folder, State(guid, tuple(records[:done])))
    seconds = time.perf_counter() - start
    print(f"  record each: JSON: {seconds:.2f} s", file=sys.stderr)
    return seconds


def json_record_each_sampled(folder: Path, guid: str, records: list[EpisodeRecord]) -> float:
    """The JSON rewrites' total, integrated from rewrites timed at evenly spaced sizes."""
    sizes = [round(len(records) * step / SAMPLED_SIZES) for step in range(1, SAMPLED_SIZES + 1)]
    seconds_at: list[tuple[int, float]] = [(0, 0.0)]
    for size in sizes:
        state = State(guid, tuple(records[:size]))
        start = time.perf_counter()
        save_json(folder, state)
        seconds_at.append((size, time.perf_counter() - start))
    total = sum(
        (size - before) * (seconds + seconds_before) / 2
        for (before, seconds_before), (size, seconds) in itertools.pairwise(seconds_at)
    )
    print(f"  record each: JSON: {total:.2f} s (integrated from {SAMPLED_SIZES} sizes)", file=sys.stderr)
    return total


def print_results(results: dict[int, dict[str, float]]) -> None:
    print_steps(results, "article")
    for size in sorted(results):
        sqlite, baseline = results[size]["record each: SQLite"], results[size]["record each: JSON"]
        print(f"record each at {size:,}: JSON {baseline:.2f} s, SQLite {sqlite:.2f} s ({baseline / sqlite:.1f}x)")


def print_steps(results: dict[int, dict[str, float]], unit: str) -> None:
    """Each step's seconds and microseconds per ``unit`` at each size, and how the time per ``unit``
    grows from the smallest size to the largest."""
    sizes = sorted(results)
    steps = list(results[sizes[0]])
    width = max(24, *(len(step) + 2 for step in steps))
    print(f"{'step':<{width}}" + "".join(f"{f'{size:,} s':>14}{f'µs/{unit}':>12}" for size in sizes))
    for step in steps:
        cells = "".join(f"{results[size][step]:>14.2f}{results[size][step] / size * 1e6:>12.0f}" for size in sizes)
        print(f"{step:<{width}}{cells}")
    smallest, largest = sizes[0], sizes[-1]
    print(f"\nper-{unit} time at {largest:,} / at {smallest:,} (1.0 linear, {largest / smallest:.0f} quadratic):")
    for step in steps:
        small, large = results[smallest][step] / smallest, results[largest][step] / largest
        print(f"  {step:<{width}}{large / small if small else float('nan'):>8.2f}")


if __name__ == "__main__":
    sys.exit(main())
