"""Benchmark: publishing the site (index.html and its older pages) of a feed of 1,000 and 10,000 episodes.

Run:  .venv/bin/python bench/bench_site.py [--sizes 1000 10000]

For each size, an output folder holds that many episodes' transcripts and WebVTT captions (a
600-word article each, 40 timed sentences), and a state that lists them. Steps, each in total
seconds and in microseconds per episode:

- baseline, one page: what a build did before pages, as the baseline in the same process: every
  episode's transcript and captions read, and one index.html of every episode rendered and written;
- pages, first build: ``_publish_pages`` into an empty folder: every page rendered (every
  transcript read once);
- pages, nothing new: ``_publish_pages`` again: each page's stamp taken and compared, none rendered;
- pages, one new episode: ``_publish_pages`` with one episode more. The sizes are whole pages, so
  this one starts a new older page: index.html, the new page and the one before it (whose "newer"
  link changes) are rendered, the others only stamped;
- pages, another new episode: one more again, the common case: index.html and the newest older page
  rendered.

The last table divides each step's time per episode at the largest size by the smallest: 1.0 is
linear, 10 (for 1,000 vs 10,000) is quadratic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

from bench_state import print_steps, timed  # this folder is first on sys.path when run as a script

from audiocast.atomic import write_bytes
from audiocast.feedbuild.build import _publish_pages, _with_transcript
from audiocast.publish.show import INDEX_FILE, Show, ShowEpisode
from audiocast.publish.site import Page, render_page, site_pages
from audiocast.publish.timecodes import vtt_time

SENTENCES = 40
SENTENCE = "The harbour ferry number {n} left the old pier on time and the gulls followed it out to sea."
"""About 15 words: 40 of them make a 600-word article."""
SHOW = Show.example()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    arguments = parser.parse_args()
    print_results({size: run(size) for size in arguments.sizes})
    return 0


def run(size: int) -> dict[str, float]:
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch)
        (output / "episodes").mkdir()
        episodes = [episode(output, number) for number in range(size + 2)]
        known = episodes[:size]
        timed(timings, "baseline, one page", lambda: one_page(output, known))
        (output / INDEX_FILE).unlink()
        timed(timings, "pages, first build", lambda: _publish_pages(output, SHOW, site_pages(known)))
        timed(timings, "pages, nothing new", lambda: _publish_pages(output, SHOW, site_pages(known)))
        timed(timings, "pages, one new episode", lambda: _publish_pages(output, SHOW, site_pages(episodes[:-1])))
        timed(timings, "pages, another new episode", lambda: _publish_pages(output, SHOW, site_pages(episodes)))
    return timings


def episode(output: Path, number: int) -> ShowEpisode:
    """An episode whose transcript and captions are written in ``output`` (its MP3 is not needed)."""
    stem = f"episodes/2024-01-01-episode-{number:05d}"
    sentences = [SENTENCE.format(n=number * SENTENCES + index) for index in range(SENTENCES)]  # each one of a kind
    paragraphs = ["\n".join(sentences[start : start + 5]) for start in range(0, SENTENCES, 5)]
    (output / f"{stem}.transcript.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    cues = [
        f"{vtt_time(index * 4000)} --> {vtt_time(index * 4000 + 3900)}\n{sentence}\n"
        for index, sentence in enumerate(sentences)
    ]
    (output / f"{stem}.vtt").write_text("\n".join(["WEBVTT\n", *cues]), encoding="utf-8")
    return ShowEpisode(
        guid=f"guid-{number:05d}",
        title=f"Episode {number}",
        link=f"https://example.org/a/{number}.html",
        summary="A bench episode.",
        language="en",
        published=dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=number),
        audio=f"{stem}.mp3",
        length=1_000_000,
        duration_ms=SENTENCES * 4000,
        sidecars={"txt": f"{stem}.transcript.txt", "vtt": f"{stem}.vtt"},
    )


def one_page(output: Path, episodes: list[ShowEpisode]) -> None:
    """The build before pages: every episode read and rendered into one index.html."""
    shown = tuple(_with_transcript(output, episode) for episode in episodes)
    assert all(episode.cues for episode in shown)
    write_bytes(output / INDEX_FILE, render_page(SHOW, [Page(INDEX_FILE, shown)], 0).encode("utf-8"))


def print_results(results: dict[int, dict[str, float]]) -> None:
    print_steps(results, "episode")
    for size in sorted(results):
        baseline, added = results[size]["baseline, one page"], results[size]["pages, another new episode"]
        print(f"one new episode at {size:,}: baseline {baseline:.2f} s, pages {added:.3f} s ({baseline / added:.0f}x)")


if __name__ == "__main__":
    sys.exit(main())

