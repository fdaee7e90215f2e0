"""Benchmark: reading, scripting, captions and feed writing take time linear in the length of the text.

Run:  .venv/bin/python bench/bench_linear.py [--timeout SECONDS]

Each case is one article whose long field (the body, or the title) holds about 1k, 10k or 100k
characters; "100k" is 99,000, since an episode holds at most 100,000 spoken characters. The cases
are the hostile ones: text with no punctuation at all (Latin words, one Latin "word" with no space,
CJK), one huge title over a short body, one huge ordinary paragraph, and a paragraph of thousands of
two-word sentences. Each size runs in its own
process, cut off after ``--timeout`` seconds (the stage still running then shows as ">N").

Stages, in microseconds per character of the long field (the best of at least three runs):

- read: the article as an archive file, as a feed entry and as plain text (all three readers);
- script: ``build_script`` with the default ``--max-segment-bytes``;
- captions: cue timing from word boundaries (as the online voice reports them), then the WebVTT,
  SRT, chapters and transcript files;
- feed: feed.xml and index.html for the one episode.

Per-character time must stay flat: the last column is the 100k time per character divided by the
1k time per character (1.0 is linear; 99 would be quadratic).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from audiocast.models import Article, Boundary, Clip, Script, Timeline
from audiocast.profiles import profile_for_language
from audiocast.publish.captions import to_srt, to_vtt
from audiocast.publish.chapters import to_chapters_json
from audiocast.publish.feed import render_feed
from audiocast.publish.show import Show, ShowEpisode
from audiocast.publish.site import render_index
from audiocast.publish.transcript import to_transcript
from audiocast.script import build_script
from audiocast.sources import article_from_entry, read_text_as_article
from audiocast.timing import place

SIZES = (1_000, 10_000, 99_000)
STAGES = ("read", "script", "captions", "feed")
LINK = "https://www.example.org/a/bench.html"
PUBLISHED = dt.datetime(2023, 11, 27, 21, 7, 35, tzinfo=dt.UTC)
MS_PER_CHARACTER = 80


def _cycled(pattern: str, size: int) -> str:
    return (pattern * (size // len(pattern) + 1))[:size].strip()


@dataclass(frozen=True)
class Case:
    name: str
    pattern: str
    """Repeated to the size asked for."""
    in_title: bool = False

    def title_and_body(self, size: int) -> tuple[str, str]:
        long_text = _cycled(self.pattern, size)
        short = "Officials met on Monday." if self.pattern.isascii() else "官员周一会面。"
        return (long_text, short) if self.in_title else (short.rstrip(".。"), long_text)


CASES = (
    Case("Latin words, no punctuation", "harbor council treaty minister weather budget railway summit "),
    Case("one Latin word, no space", "harborcounciltreatyministerweatherbudgetrailwaysummit"),
    Case("CJK, no punctuation", "美国国务卿布林肯周一抵达布鲁塞尔出席北约外长会议"),
    Case("huge title, Latin words", "harbor council treaty minister weather budget railway summit ", in_title=True),
    Case("huge title, CJK", "美国国务卿布林肯周一抵达布鲁塞尔出席北约外长会议", in_title=True),
    Case("huge paragraph, English", "The harbor reopened on Tuesday after a closure, officials said. "),
    Case("huge paragraph, Chinese", "布林肯周一抵达布鲁塞尔，出席北约外长会议。他说：“我们会坚持下去。”"),
    Case("many short sentences", "Go now. Stay here. "),
    Case("hyphen-joined letters", "a-b-"),
    Case("dot-joined letters", "a.b."),
    Case("a run of wide spaces", "\u2003" * 40 + "x"),
)


def _archive(title: str, body: str) -> str:
    return (
        f"<!--1701121143000-->\n[{title}]({LINK})\n------\n\n"
        f"<div><i>Mon, 27 Nov 2023 21:07:35 GMT</i></div>\n<p>{body}</p>\n"
    )


def read_all(title: str, body: str) -> Article:
    """The same article through the archive, feed entry and plain-text readers."""
    read_text_as_article(f"{title}\n\n{body}\n", "bench.txt")
    article_from_entry(title=title, link=LINK, published=PUBLISHED, body_html=f"<p>{body}</p>")
    return read_text_as_article(_archive(title, body), "bench.md")


def _boundaries(text: str) -> tuple[Boundary, ...]:
    """Word boundaries as the online voice reports them: one per word, or per two CJK characters."""
    words = [text[i : i + 2] for i in range(0, len(text), 2)] if not text.isascii() else text.split()
    boundaries, offset = [], 0
    for word in words:
        duration = MS_PER_CHARACTER * len(word)
        boundaries.append(Boundary(offset, duration, word))
        offset += duration
    return tuple(boundaries)


def captions(script: Script) -> Timeline:
    """Time each segment's cues from word boundaries, then write every caption file."""
    placed, position = [], 0
    for segment in script.segments:
        clip = Clip(b"\x00\x00", "pcm_s16le", 16_000, boundaries=_boundaries(segment.text))
        end = position + MS_PER_CHARACTER * len(segment.text)
        placed.append(place(segment, clip, position, end))
        position = end + segment.pause_after_ms
    timeline = Timeline(tuple(placed), position)
    to_vtt(timeline, script.language)
    to_srt(timeline, script.language)
    to_chapters_json(timeline, script.article.title)
    to_transcript(script)
    return timeline


def feed(script: Script, timeline: Timeline) -> None:
    article = script.article
    episode = ShowEpisode(
        guid="bench", title=article.title, link=article.link, summary=article.summary, language=script.language,
        published=article.published, audio="episodes/bench.mp3", length=1_000_000,
        duration_ms=timeline.duration_ms, chapters=timeline.chapters, transcript=to_transcript(script),
        sidecars={"vtt": "episodes/bench.vtt", "srt": "episodes/bench.srt", "chapters": "episodes/bench.json"},
    )  # fmt: skip
    render_feed(Show.example(), [episode])
    render_index(Show.example(), [episode])


def _best(run: Callable[[], object], repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def measure(case: Case, size: int) -> None:
    """Child process: print one JSON line per stage as soon as it is timed."""
    warm_title, warm_body = case.title_and_body(300)  # compiles regexes, loads profiles and parsers
    warm = read_all(warm_title, warm_body)
    feed(build_script(warm, profile_for_language(warm.language)), captions(build_script(
        warm, profile_for_language(warm.language))))
    repeats = max(3, 30_000 // size)
    title, body = case.title_and_body(size)
    seconds, article = _best(lambda: read_all(title, body), repeats)
    _report("read", seconds)
    assert isinstance(article, Article)
    profile = profile_for_language(article.language)
    seconds, script = _best(lambda: build_script(article, profile), repeats)
    _report("script", seconds)
    assert isinstance(script, Script)
    seconds, timeline = _best(lambda: captions(script), repeats)
    _report("captions", seconds)
    assert isinstance(timeline, Timeline)
    seconds, _ = _best(lambda: feed(script, timeline), repeats)
    _report("feed", seconds)


def _report(stage: str, seconds: float) -> None:
    print(json.dumps({"stage": stage, "seconds": seconds}), flush=True)


def run_case(index: int, size: int, timeout: float) -> dict[str, float]:
    """Stage → seconds; a stage cut off by the timeout maps to -(seconds it had run at least)."""
    command = [sys.executable, __file__, "--measure", str(index), str(size)]
    try:
        output = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True).stdout
        cut_off = False
    except subprocess.TimeoutExpired as expired:
        raw = expired.stdout or b""
        output = raw.decode() if isinstance(raw, bytes) else raw
        cut_off = True
    times = {line["stage"]: line["seconds"] for line in map(json.loads, output.splitlines())}
    if cut_off:
        running = next(stage for stage in STAGES if stage not in times)
        times[running] = -(timeout - sum(times.values()))
    return times


def _cell(seconds: float | None, size: int) -> str:
    if seconds is None:
        return f"{'-':>10}"
    if seconds < 0:
        return f"{'>' + format(-seconds, '.0f') + ' s':>10}"
    return f"{seconds / size * 1e6:>10.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before one size of one case is cut off")
    parser.add_argument("--measure", nargs=2, type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        measure(CASES[options.measure[0]], options.measure[1])
        return 0
    print(f"microseconds per character of the long field; a size cut off after {options.timeout:.0f} s shows >N s")
    print(f"  {'case':<30} {'chars':>6}" + "".join(f" {stage:>10}" for stage in (*STAGES, "total")))
    ratios = []
    for index, case in enumerate(CASES):
        per_char: dict[int, float | None] = {}
        for size in SIZES:
            times = run_case(index, size, options.timeout)
            cells = [times.get(stage) for stage in STAGES]
            finished = all(cell is not None and cell >= 0 for cell in cells)
            total = sum(cell for cell in cells if cell is not None and cell >= 0)
            per_char[size] = total / size if finished else None
            row = "".join(_cell(cell, size) for cell in cells)
            print(f"  {case.name:<30} {size:>6}{row}{_cell(total if finished else None, size)}", flush=True)
        small, large = per_char[SIZES[0]], per_char[SIZES[-1]]
        ratios.append((case.name, f"{large / small:.2f}" if small and large else "cut off"))
    print(f"per-character time, {SIZES[-1] // 1000}k vs {SIZES[0] // 1000}k (1.0 = linear):")
    for name, ratio in ratios:
        print(f"  {name:<30} {ratio:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
