"""An aside in a language with no written lead-in is marked by a short tone: heard in the MP3, timed right."""

from __future__ import annotations

import array
import datetime as dt
import math
from pathlib import Path

import pytest

from audiocast.audio import EARCON_GAP_MS, EARCON_LEAD_MS, EARCON_NOTES
from audiocast.episode import EpisodeOptions, make_episode
from audiocast.models import Article, Block, Episode
from audiocast.profiles import load_profile
from audiocast.script import build_script
from audiocast.synth import SynthOptions

from .conftest import decode_mp3, rms_dbfs, write_profile

RATE = 22050
ARTICLE = Article(
    id="earcon",
    title="Die Brücke ist fertig",
    link="https://example.org/bruecke",
    published=dt.datetime(2024, 5, 2, tzinfo=dt.UTC),
    source_name="Beispielzeitung",
    language="de-DE",
    blocks=(
        Block("paragraph", "Nach drei Jahren Bauzeit ist die neue Brücke über den Fluss eröffnet worden."),
        Block("figure", "Die Bürgermeisterin schneidet das Band durch.", src="https://example.org/band.jpg"),
        Block("paragraph", "Am Abend gab es ein Fest am Ufer, mit Musik und vielen Gästen."),
    ),
)


def _episode(tmp_path: Path, lead_in: str, cache: Path | None = None) -> tuple[Episode, array.array[int]]:
    profile = write_profile(tmp_path, "de-DE", "de", lead_in)
    options = EpisodeOptions(
        engine="espeak", profile=str(profile), fetch_cover=False, synth=SynthOptions(jobs=1, cache_dir=cache)
    )
    episode = make_episode(ARTICLE, tmp_path / "episode.mp3", options)
    return episode, decode_mp3(Path(episode.audio_path))


def _tone_share(samples: array.array[int], voice_ms: int) -> float:
    """The least share of energy at its note's frequency (a Goertzel filter) among the stretches
    where the earcon's notes would be heard before a voice starting at ``voice_ms``: near 1 for the
    tone, small for speech or noise."""
    shares = []
    note_start = voice_ms - EARCON_LEAD_MS - sum(length for _, length in EARCON_NOTES) - EARCON_GAP_MS
    for frequency, length in EARCON_NOTES:
        window = samples[(note_start + 10) * RATE // 1000 : (note_start + length - 10) * RATE // 1000]
        energy = sum(value * value for value in window) * len(window) / 2
        shares.append(_goertzel_power(window, frequency) / energy if energy else 0.0)
        note_start += length + EARCON_GAP_MS
    return min(shares)


def _goertzel_power(window: array.array[int], frequency: float) -> float:
    coefficient = 2 * math.cos(2 * math.pi * frequency / RATE)
    before, earlier = 0.0, 0.0
    for value in window:
        before, earlier = value + coefficient * before - earlier, before
    return before * before + earlier * earlier - coefficient * before * earlier


def _aside_start(episode: Episode) -> int:
    return next(item.start_ms for item in episode.timeline.placed if item.segment.role == "aside")


def test_without_lead_in_words_a_tone_is_heard_before_the_aside_and_its_caption_starts_at_the_voice(
    tmp_path: Path,
) -> None:
    episode, samples = _episode(tmp_path, lead_in="")
    start = _aside_start(episode)
    tone = (start - 500, start - 200)  # the notes end EARCON_LEAD_MS before the voice
    assert rms_dbfs(samples, *tone) > -45
    assert _tone_share(samples, start) > 0.7  # the energy is at the two notes, not spread like speech
    assert rms_dbfs(samples, start - 150, start - 20) < -55  # then silence until the voice
    assert rms_dbfs(samples, start, start + 400) > -35  # the caption's cue starts where the voice does
    caption_cue = next(cue for cue in episode.timeline.cues if cue.text.startswith("Die Bürgermeisterin"))
    assert caption_cue.start_ms == start
    # The tone is quieter than the speech around it, and marks only the aside.
    assert rms_dbfs(samples, *tone) < rms_dbfs(samples, start, start + 1500) - 6
    for item in episode.timeline.placed:
        if item.segment.role != "aside" and item.start_ms > 600:
            assert _tone_share(samples, item.start_ms) < 0.2, item.segment.role


def test_with_lead_in_words_no_tone_is_played(tmp_path: Path) -> None:
    episode, samples = _episode(tmp_path, lead_in="Bildunterschrift:")
    start = _aside_start(episode)
    assert rms_dbfs(samples, start - 500, start - 100) < -55
    aside = next(item.segment for item in episode.timeline.placed if item.segment.role == "aside")
    assert aside.text.startswith("Bildunterschrift: ") and not aside.earcon


def test_an_episode_with_a_tone_is_rebuilt_byte_for_byte(tmp_path: Path) -> None:
    """A rebuild takes its clips from the clip cache; the tone and the mix around it add nothing that varies."""
    for run in ("first", "second"):
        (tmp_path / run).mkdir()
    first, _ = _episode(tmp_path / "first", lead_in="", cache=tmp_path / "cache")
    second, _ = _episode(tmp_path / "second", lead_in="", cache=tmp_path / "cache")
    assert first.clips_synthesized > 0 and second.clips_synthesized == 0
    assert Path(first.audio_path).read_bytes() == Path(second.audio_path).read_bytes()


@pytest.mark.parametrize("lead_in", ["", "Bildunterschrift:"])
def test_only_the_first_piece_of_a_long_caption_gets_the_tone(tmp_path: Path, lead_in: str) -> None:
    profile_path = write_profile(tmp_path, "de-DE", "de", lead_in)
    long_caption = " ".join(["Die Bürgermeisterin schneidet das Band durch, und alle klatschen."] * 12)
    article = Article(**{**ARTICLE.__dict__, "blocks": (*ARTICLE.blocks, Block("figure", long_caption))})
    script = build_script(article, load_profile(str(profile_path)), max_segment_bytes=300)
    asides = [segment for segment in script.segments if segment.role == "aside"]
    assert len(asides) > 3
    assert [segment.earcon for segment in asides] == [not lead_in, not lead_in] + [False] * (len(asides) - 2)
    assert all(segment.text.strip() == segment.text for segment in asides)
