"""The multilingual sample in tests/data/languages/ (see its README), shared by tests/test_language.py
and bench/bench_language.py."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

SAMPLE_FOLDER = Path(__file__).parent / "data" / "languages"


@dataclass(frozen=True)
class LanguageSample:
    tag: str
    """What detect_language should say: the file's name."""
    headlines: tuple[str, ...]
    paragraphs: tuple[str, ...]


def language_samples() -> list[LanguageSample]:
    """Every language of the sample, in order of tag."""
    samples = []
    for path in sorted(SAMPLE_FOLDER.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        samples.append(LanguageSample(path.stem, tuple(data["headlines"]), tuple(data["paragraphs"])))
    return samples
