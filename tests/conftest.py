"""Shared fixtures: the example article, an in-process CLI runner, decoded audio helpers."""

from __future__ import annotations

import array
import contextlib
import io
import math
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from audiocast.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "voa-blinken-nato-2023-11-27.md"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the clip cache of the test run out of the user's own cache folder."""
    folder = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("AUDIOCAST_CACHE_DIR")
    os.environ["AUDIOCAST_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("AUDIOCAST_CACHE_DIR", None)
    else:
        os.environ["AUDIOCAST_CACHE_DIR"] = previous


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str | Path, stdin: bytes | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> CliResult:
    """Run ``audiocast`` in this process exactly as the console script does, capturing its output."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        if stdin is not None and monkeypatch is not None:
            monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        try:
            main([str(arg) for arg in args])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return CliResult(code, out.getvalue(), err.getvalue())


def decode_mp3(path: Path, sample_rate: int = 22050) -> array.array[int]:
    """Decode an MP3 with ffmpeg to mono 16-bit samples; fails the test if ffmpeg reports any error."""
    result = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1",
         "-ar", str(sample_rate), "pipe:1"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0 and not result.stderr, result.stderr.decode()
    samples = array.array("h")
    samples.frombytes(result.stdout)
    return samples


def rms_dbfs(samples: array.array[int], start_ms: int, end_ms: int, sample_rate: int = 22050) -> float:
    """Loudness of a stretch of samples in dBFS (-inf for digital silence)."""
    window = samples[start_ms * sample_rate // 1000 : end_ms * sample_rate // 1000]
    if not window:
        return -math.inf
    power = sum(value * value for value in window) / len(window)
    return 20 * math.log10(math.sqrt(power) / 32768) if power else -math.inf


def read_id3(path: Path) -> Any:
    """The ID3 tags of an MP3, read back with mutagen (untyped, hence Any)."""
    return ID3(path)  # type: ignore[no-untyped-call]


def mp3_info(path: Path) -> Any:
    """The MPEG stream info a player sees: length, bitrate, channels."""
    return MP3(path).info  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class BuiltEpisode:
    mp3: Path
    result: CliResult

    def sidecar(self, suffix: str) -> Path:
        return self.mp3.with_name(self.mp3.stem + suffix)


@pytest.fixture(scope="session")
def example_episode(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltEpisode]:
    """The example article made into an episode once per test run, by the real CLI, offline."""
    folder = tmp_path_factory.mktemp("example")
    mp3 = folder / "blinken.mp3"
    result = run_cli("episode", EXAMPLE, "-o", mp3, "--engine", "espeak", "--no-fetch-cover")
    assert result.code == 0, result.err
    yield BuiltEpisode(mp3, result)


_PROFILE = """
name = "{language}-test"
language = "{language}"
[edge]
narrator = "{language}-NarratorNeural"
aside = "{language}-AsideNeural"
[espeak]
narrator = "{espeak}"
aside = "{espeak}+m3"
[prosody]
rate = "+0%"
pitch = "+0Hz"
volume = "+0%"
[pauses]
sentence = 300
paragraph = 650
heading = 1100
aside = 800
[words]
caption_lead_in = "{lead_in}"
meta = "{{source}}, {{date}}"
date = "{{day}}.{{month}}.{{year}}"
outro = "{{source}}."
"""


def write_profile(folder: Path, language: str, espeak: str, lead_in: str = "") -> Path:
    """A user voice profile for ``language`` read offline by the espeak-ng voice ``espeak``."""
    path = folder / f"{language}.toml"
    path.write_text(_PROFILE.format(language=language, espeak=espeak, lead_in=lead_in), encoding="utf-8")
    return path
