"""Benchmark: language detection on the multilingual sample, against py3langid alone.

Run:  .venv/bin/python bench/bench_language.py

The sample is tests/data/languages/ (three headlines and two or three news paragraphs per language,
see its README). Two detectors run in this process on the same texts: audiocast's
``detect_language`` (CJK by script, the rest by py3langid with all its labels) and
plain ``py3langid.classify`` (all its labels), whose code is given the same region by
``region_tag`` so that both answer in tags (``no`` counts as ``nb-NO``, ``zh`` as ``zh-CN``).
Prints accuracy on paragraphs and on headlines, the misses, the one-time model load, the median
time per detection, and the time for one long article (the sample is bounded).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.language_sample

import py3langid

from audiocast.language import detect_language, region_tag
from tests.language_sample import LanguageSample, language_samples

Detector = Callable[[str], str]


def plain_py3langid(text: str) -> str:
    code: str = py3langid.classify(text)[0]
    return region_tag(code)


@dataclass(frozen=True)
class Score:
    right: int
    total: int
    misses: list[str]
    seconds: list[float]

    @property
    def accuracy(self) -> float:
        return self.right / self.total


def score(detect: Detector, texts: list[tuple[str, str]]) -> Score:
    right, misses, seconds = 0, [], []
    for expected, text in texts:
        start = time.perf_counter()
        found = detect(text)
        seconds.append(time.perf_counter() - start)
        if found == expected:
            right += 1
        else:
            misses.append(f"{expected} as {found}")
    return Score(right, len(texts), misses, seconds)


def first_call(detect: Detector) -> float:
    """Seconds of the first detection of a Latin-script text: the model's load."""
    start = time.perf_counter()
    detect("Le gouvernement a annoncé mardi de nouvelles mesures.")
    return time.perf_counter() - start


def long_article_ms(detect: Detector, samples: list[LanguageSample]) -> float:
    article = " ".join(samples[0].paragraphs) * 400
    start = time.perf_counter()
    detect(article)
    return (time.perf_counter() - start) * 1000


def main() -> int:
    samples = language_samples()
    kinds = {
        "paragraphs": [(sample.tag, paragraph) for sample in samples for paragraph in sample.paragraphs],
        "headlines": [(sample.tag, headline) for sample in samples for headline in sample.headlines],
    }
    detectors: dict[str, Detector] = {"audiocast": detect_language, "py3langid": plain_py3langid}
    loads = {name: first_call(detect) for name, detect in detectors.items()}
    print(f"{len(samples)} languages; {len(kinds['paragraphs'])} paragraphs, {len(kinds['headlines'])} headlines")
    print("one-time model load: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in loads.items()))
    print(f"{'':<11} {'detector':<10} {'accuracy':>14} {'median':>9}  misses")
    for kind, texts in kinds.items():
        scores = {name: score(detect, texts) for name, detect in detectors.items()}
        for name, result in scores.items():
            median_ms = statistics.median(result.seconds) * 1000
            print(
                f"{kind:<11} {name:<10} {result.right:3d}/{result.total:<3d} {result.accuracy:6.1%} "
                f"{median_ms:7.3f}ms  {', '.join(result.misses) or '-'}"
            )
        ours, theirs = scores["audiocast"], scores["py3langid"]
        time_ratio = statistics.median(ours.seconds) / statistics.median(theirs.seconds)
        print(
            f"{kind:<11} audiocast vs py3langid: {(ours.accuracy - theirs.accuracy) * 100:+.1f} points, "
            f"median time {time_ratio:.2f}x"
        )
    article_chars = len(" ".join(samples[0].paragraphs) * 400)
    print(
        f"one article of {article_chars} characters: "
        + ", ".join(f"{name} {long_article_ms(detect, samples):.1f} ms" for name, detect in detectors.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
