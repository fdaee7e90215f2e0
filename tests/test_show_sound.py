"""The show's sound: an intro before the title and an outro after the last words, in the one encode.

Real parts: tone files made by ffmpeg, episodes on the offline voice, the MP3 decoded again,
its loudness measured by ffmpeg's ebur128, chapters read from the JSON sidecar, feeds built.
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from audiocast.episode import EpisodeOptions, make_episode
from audiocast.feedbuild import load_feed_config
from audiocast.models import Episode
from audiocast.sources import read_source
from audiocast.synth import SynthOptions

from .conftest import EXAMPLE, decode_mp3, run_cli
from .feed_helpers import ARTICLES, build, copy_articles, episode_files, write_definition
from .test_loudness import ebur128

RATE = 22050  # the offline voice's, so the episode's
INTRO_HZ, INTRO_S = 1000, 2.0
OUTRO_HZ, OUTRO_S = 440, 1.5
GAP_S = 0.5


def tone(path: Path, frequency: float, seconds: float, *, volume: float = 0.125) -> Path:
    """A sine written by ffmpeg (stereo 44.1 kHz, whatever the file type says), quieter than speech."""
    source = f"sine=frequency={frequency}:duration={seconds}:sample_rate=44100"
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", source,
               "-af", f"volume={volume}", "-ac", "2", str(path)]  # fmt: skip
    subprocess.run(command, check=True)
    return path


def dominant_hz(samples: np.typing.NDArray[np.float64]) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / RATE)[int(np.argmax(spectrum))])


def rms_db(samples: np.typing.NDArray[np.float64]) -> float:
    return 10 * math.log10(max(float(np.mean(samples * samples)), 1e-12))


@pytest.fixture(scope="module")
def episodes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Episode, Episode]:
    """The example episode plain and with the show's sound, from one clip cache (the same voice clips)."""
    folder = tmp_path_factory.mktemp("show_sound")
    synth = SynthOptions(jobs=1, cache_dir=folder / "cache")
    article = read_source(str(EXAMPLE))
    plain = make_episode(article, folder / "plain.mp3", EpisodeOptions(engine="espeak", fetch_cover=False, synth=synth))
    options = EpisodeOptions(
        engine="espeak", fetch_cover=False, synth=synth,
        intro=tone(folder / "intro.wav", INTRO_HZ, INTRO_S), outro=tone(folder / "outro.ogg", OUTRO_HZ, OUTRO_S),
    )  # fmt: skip
    return plain, make_episode(article, folder / "sound.mp3", options)


def _samples(episode: Episode) -> np.typing.NDArray[np.float64]:
    return np.array(decode_mp3(Path(episode.audio_path), RATE), dtype=np.float64) / 32768


def test_the_episode_grows_by_the_intro_and_outro(episodes: tuple[Episode, Episode]) -> None:
    plain, sound = episodes
    grown_s = (sound.duration_ms - plain.duration_ms) / 1000
    assert grown_s == pytest.approx(INTRO_S + OUTRO_S + 2 * GAP_S, abs=0.002)
    decoded_s = (_samples(sound).size - _samples(plain).size) / RATE
    assert decoded_s == pytest.approx(grown_s, abs=0.06)  # MP3 frames round each length a little


def test_the_intro_is_heard_first_and_the_outro_last_at_the_loudness_of_the_voice(
    episodes: tuple[Episode, Episode],
) -> None:
    _, sound = episodes
    samples = _samples(sound)
    intro = samples[int(0.2 * RATE) : int((INTRO_S - 0.2) * RATE)]
    outro = samples[-int((OUTRO_S - 0.2) * RATE) : -int(0.2 * RATE)]
    assert dominant_hz(intro) == pytest.approx(INTRO_HZ, abs=5)
    assert dominant_hz(outro) == pytest.approx(OUTRO_HZ, abs=5)
    # A 1 kHz sine's loudness in LUFS is its RMS in dBFS; the file's tone was at -21 dBFS.
    assert rms_db(intro) == pytest.approx(-16.0, abs=1.0)
    gap = samples[int((INTRO_S + 0.05) * RATE) : int((INTRO_S + GAP_S - 0.05) * RATE)]
    assert rms_db(gap) < -60


def test_an_episode_with_the_show_sound_is_still_at_the_norm(episodes: tuple[Episode, Episode]) -> None:
    _, sound = episodes
    measured = ebur128(Path(sound.audio_path))
    assert abs(measured.integrated + 16) <= 1.0 and measured.true_peak <= -1.0


def test_chapters_and_captions_start_after_the_intro(episodes: tuple[Episode, Episode]) -> None:
    plain, sound = episodes
    shift_ms = round((INTRO_S + GAP_S) * 1000)
    chapters = [json.loads(Path(episode.sidecars["chapters"]).read_text(encoding="utf-8"))["chapters"]
                for episode in (plain, sound)]  # fmt: skip
    assert [chapter["startTime"] * 1000 + shift_ms for chapter in chapters[0]] == pytest.approx(
        [chapter["startTime"] * 1000 for chapter in chapters[1]], abs=1
    )
    assert [cue.start_ms + shift_ms for cue in plain.timeline.cues] == [cue.start_ms for cue in sound.timeline.cues]
    assert sound.timeline.placed[0].start_ms == shift_ms


def _refused(tmp_path: Path, sound: Path) -> str:
    earlier = tmp_path / "out.mp3"
    earlier.write_bytes(b"earlier episode bytes")
    result = run_cli("episode", EXAMPLE, "-o", earlier, "--engine", "espeak", "--no-fetch-cover", "--intro", sound)
    assert result.code == 1
    assert earlier.read_bytes() == b"earlier episode bytes"
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith("out")) == ["out.mp3"]
    assert result.err.count("\n") == 1 and result.err.startswith("error: "), result.err
    return result.err


def test_a_missing_intro_is_one_error_line(tmp_path: Path) -> None:
    assert "missing.wav: no such audio file" in _refused(tmp_path, tmp_path / "missing.wav")


def test_an_intro_that_is_not_audio_is_one_error_line(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp3"
    text.write_text("not a sound", encoding="utf-8")
    assert "notes.mp3: not an audio file ffmpeg can read" in _refused(tmp_path, text)


def test_an_intro_over_a_minute_is_one_error_line(tmp_path: Path) -> None:
    long = tone(tmp_path / "long.flac", 300, 61)
    assert "long.flac: lasts more than 60 s" in _refused(tmp_path, long)


def test_a_silent_intro_is_one_error_line(tmp_path: Path) -> None:
    silent = tone(tmp_path / "silent.wav", 300, 2, volume=0)
    assert "silent.wav: is silent" in _refused(tmp_path, silent)


def test_a_feed_plays_its_sound_in_every_episode_and_rebuilds_when_it_changes(tmp_path: Path) -> None:
    articles = copy_articles(tmp_path / "articles", sorted(ARTICLES.glob("*.md"))[0])
    cache = tmp_path / "cache"
    definition = write_definition(tmp_path, articles)
    build(definition, cache)
    output = tmp_path / "public" / "show"
    before = episode_files(output)
    [plain] = [name for name in before if name.endswith(".mp3")]

    tone(tmp_path / "sting.wav", INTRO_HZ, INTRO_S)
    definition = write_definition(tmp_path, articles, intro="sting.wav")  # relative to the definition
    assert load_feed_config(definition).intro == tmp_path / "sting.wav"
    assert len(build(definition, cache).plan.remake) == 1
    [with_sound] = [name for name in episode_files(output) if name.endswith(".mp3")]
    assert with_sound != plain
    (tmp_path / "plain.mp3").write_bytes(before[plain])
    grown = len(decode_mp3(output / "episodes" / with_sound)) - len(decode_mp3(tmp_path / "plain.mp3"))
    assert grown / RATE == pytest.approx(INTRO_S + GAP_S, abs=0.06)
    again = episode_files(output)
    assert build(definition, cache).plan.remake == () and episode_files(output) == again  # byte-identical

    tone(tmp_path / "sting.wav", INTRO_HZ, INTRO_S, volume=0.25)  # new content, same name
    assert len(build(definition, cache).plan.remake) == 1

    definition = write_definition(tmp_path, articles)  # the sound taken out: the first episode again
    assert len(build(definition, cache).plan.remake) == 1
    assert episode_files(output) == before


def test_a_new_loudness_remakes_the_feed_and_the_default_keeps_its_episodes(tmp_path: Path) -> None:
    articles = copy_articles(tmp_path / "articles", sorted(ARTICLES.glob("*.md"))[0])
    cache = tmp_path / "cache"
    build(write_definition(tmp_path, articles), cache)
    output = tmp_path / "public" / "show"
    before = episode_files(output)
    assert build(write_definition(tmp_path, articles, loudness=-16), cache).plan.remake == ()  # the default
    quieter = write_definition(tmp_path, articles, loudness=-19)
    assert len(build(quieter, cache).plan.remake) == 1
    [mp3] = [name for name in episode_files(output) if name.endswith(".mp3")]
    assert ebur128(output / "episodes" / mp3).integrated == pytest.approx(-19, abs=1)
    assert build(quieter, cache).plan.remake == ()
    assert len(build(write_definition(tmp_path, articles), cache).plan.remake) == 1
    assert episode_files(output) == before


def test_the_feed_keys_refuse_a_bad_sound(tmp_path: Path) -> None:
    articles = copy_articles(tmp_path / "articles", sorted(ARTICLES.glob("*.md"))[0])
    (tmp_path / "notes.txt").write_text("not a sound", encoding="utf-8")
    for value, expected in (("missing.wav", "does not exist"), ("notes.txt", "not an audio file ffmpeg can read")):
        definition = write_definition(tmp_path, articles, outro=value)
        result = run_cli("feed", "build", definition)
        assert result.code == 1 and "key 'outro'" in result.err and expected in result.err, result.err
        assert result.err.count("\n") == 1
