"""The offline voice reads languages other than Chinese and English as their speakers would."""

from __future__ import annotations

import re

from audiocast.engines.base import VoiceSpec
from audiocast.engines.espeak import EspeakEngine, spoken_reading
from audiocast.text import HAN

JAPANESE = "政府は月曜日、インフレ対策の新たな措置を発表した。東京都の知事は記者会見で「物価の上昇は続いている」と述べた。"


def _seconds(text: str, voice: str) -> float:
    engine = EspeakEngine()
    clip = engine.synthesize_now(text, VoiceSpec(voice))
    return len(clip.audio) / 2 / engine.sample_rate


def test_japanese_is_given_to_espeak_in_kana_with_particles_as_spoken() -> None:
    reading = spoken_reading(JAPANESE, "ja")
    assert not re.search(f"[{HAN}]", reading.text)
    assert reading.text.startswith("セーフワ")  # は the particle is said "wa"


def test_japanese_with_kanji_is_read_at_a_japanese_pace() -> None:
    # espeak-ng alone spells kanji out at about two characters a second; Japanese news is read at 6-9.
    characters_per_second = len(JAPANESE) / _seconds(JAPANESE, "ja")
    assert 4.5 < characters_per_second < 12


def test_boundaries_of_a_japanese_clip_point_into_the_written_text() -> None:
    clip = EspeakEngine().synthesize_now(JAPANESE, VoiceSpec("ja"))
    assert [boundary.text for boundary in clip.boundaries] == [
        "政府は月曜日、インフレ対策の新たな措置を発表した。",
        "東京都の知事は記者会見で「物価の上昇は続いている」と述べた。",
    ]
