"""The offline voice reads languages other than Chinese and English as their speakers would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audiocast.engines.base import VoiceSpec
from audiocast.engines.espeak import EspeakEngine, spoken_reading
from audiocast.episode import EpisodeOptions, choose_profile, plan
from audiocast.models import Article
from audiocast.profiles import load_profile
from audiocast.publish.transcript import to_transcript
from audiocast.sources import read_source, read_text_as_article
from audiocast.text import HAN
from tests.fake_edge import FakeEdge, fake_edge

from .conftest import decode_mp3, read_id3, run_cli

__all__ = ["fake_edge"]  # the fixture, used by name

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
    assert [boundary.text for boundary in clip.boundaries] == [  # espeak-ng reads kana a phrase at a time
        "政府は月曜日、", "インフレ対策の新たな措置を発表した。",
        "東京都の知事は記者会見で", "「物価の上昇は続いている」", "と述べた。",
    ]  # fmt: skip


ARTICLES = Path(__file__).parent / "data" / "articles"
ID3_LANGUAGES = {"de": "ger", "fr": "fre", "ja": "jpn", "ko": "kor", "ar": "ara", "ru": "rus", "vi": "vie"}
LANGUAGES = {
    # article file: (detected tag, espeak-ng language, edge locale)
    "de": ("de-DE", "de", "de-DE"),
    "fr": ("fr-FR", "fr", "fr-FR"),
    "ja": ("ja-JP", "ja", "ja-JP"),
    "ko": ("ko-KR", "ko", "ko-KR"),
    "ar": ("ar-EG", "ar", "ar-EG"),
    "ru": ("ru-RU", "ru", "ru-RU"),
    "vi": ("vi-VN", "vi", "vi-VN"),
}
SYLLABIC_LANGUAGES = {"ja", "ko"}
"""Written in syllables (kana, Hangul): a few characters a second; the others letter by letter."""


def _article(code: str) -> Article:
    return read_source(str(ARTICLES / f"{code}.md"))


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_each_language_is_detected_and_given_its_own_voices_and_words(code: str) -> None:
    tag, espeak_language, edge_locale = LANGUAGES[code]
    article = _article(code)
    profile = choose_profile(article, EpisodeOptions())
    assert article.language == tag
    assert profile.voice_for("espeak", "narrator").name.split("+")[0] == espeak_language
    narrator, aside = (profile.voice_for("edge", role).name for role in ("narrator", "aside"))
    assert narrator.startswith(edge_locale + "-") and aside.startswith(edge_locale + "-") and narrator != aside
    lead_in = profile.words.caption_lead_in
    assert lead_in and lead_in != load_profile("en-US").words.caption_lead_in


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_an_episode_in_each_language_is_read_offline_at_a_plausible_length(code: str, tmp_path: Path) -> None:
    mp3 = tmp_path / f"{code}.mp3"
    result = run_cli("episode", ARTICLES / f"{code}.md", "-o", mp3, "--engine", "espeak", "--no-fetch-cover")
    assert result.code == 0, result.err
    script = plan(_article(code), EpisodeOptions(engine="espeak"))
    spoken = "".join(segment.text for segment in script.segments)
    pauses_s = sum(segment.pause_after_ms for segment in script.segments) / 1000
    speech_s = len(decode_mp3(mp3)) / 22050 - pauses_s
    low, high = (3, 12) if code in SYLLABIC_LANGUAGES else (8, 25)  # characters a second
    assert len(spoken) / high < speech_s < len(spoken) / low, (len(spoken), speech_s)
    assert script.segments[2].role == "aside" and not script.segments[2].text.startswith("Photo caption")
    tags = read_id3(mp3)
    assert tags["TLAN"].text == [ID3_LANGUAGES[code]] and tags.getall("COMM")[0].lang == ID3_LANGUAGES[code]


def test_each_language_is_read_by_its_own_online_voices(fake_edge: FakeEdge, tmp_path: Path) -> None:
    for code, (_tag, _espeak, edge_locale) in sorted(LANGUAGES.items()):
        already = len(fake_edge.turns)
        mp3 = tmp_path / f"{code}.mp3"
        args = ("episode", ARTICLES / f"{code}.md", "-o", mp3, "--engine", "edge", "--no-cache", "--no-fetch-cover")
        result = run_cli(*args)
        assert result.code == 0, result.err
        voices = {turn.voice for turn in fake_edge.turns[already:]}
        assert len(voices) == 2 and all(voice.startswith(edge_locale + "-") for voice in voices), voices


def test_a_korean_paragraph_cut_for_the_voice_is_joined_back_with_its_spaces() -> None:
    paragraph = " ".join(block.text for block in _article("ko").blocks if block.kind == "paragraph")
    article = read_text_as_article(f"전기요금 동결\n\n{paragraph}\n", "ko.txt")
    script = plan(article, EpisodeOptions(max_segment_bytes=200))
    assert article.language == "ko-KR" and len(script.segments) > 3  # the paragraph is read in pieces
    assert to_transcript(script).split("\n\n")[1].strip() == paragraph
