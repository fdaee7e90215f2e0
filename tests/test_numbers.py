"""Numbers on the offline voice: said as words of the article's language, written as they were."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audiocast.engines.base import VoiceSpec
from audiocast.engines.espeak import EspeakEngine
from audiocast.script.numbers import spoken_numbers
from audiocast.script.speech import clean
from tests.conftest import run_cli

CHINESE = [
    ("增长25%", "增长百分之二十五"),
    ("约37,000人", "约三万七千人"),
    ("-268.9℃的低温", "零下二百六十八点九摄氏度的低温"),
    ("比例为1：7.5", "比例为一比七点五"),
    ("2024.12.11发布", "二零二四年十二月十一日发布"),
    ("只有1/10的人", "只有十分之一的人"),
    ("耗资$131.4 million", "耗资一亿三千一百四十万美元"),
    ("融资$600M。", "融资六亿美元。"),
    ("2023年11月27日", "二零二三年十一月二十七日"),
    ("2010-2020年", "二零一零至二零二零年"),
    ("下降-3%，上午10:30", "下降负百分之三，上午十点三十分"),
    ("比分3:1", "比分三比一"),
    ("约3.5亿美元", "约三点五亿美元"),
    ("上涨5%-10%", "上涨百分之五至百分之十"),
    ("上涨10-12%", "上涨百分之十至百分之十二"),
    ("耗资£5m", "耗资五百万英镑"),
    ("融资$5-10 million", "融资五百万至一千万美元"),
    ("圆周率3.14159265358979323846", "圆周率三点一四一五九二六五三五八九七九三二三八四六"),
]

ENGLISH = [
    ("$131.4 million", "one hundred and thirty-one point four million dollars"),
    ("$600M.", "six hundred million dollars."),
    ("1/10 of voters", "one tenth of voters"),
    ("-268.9℃", "minus two hundred and sixty-eight point nine degrees Celsius"),
    ("a 1:7.5 ratio", "a one to seven point five ratio"),
    ("2024.12.11", "December eleventh, twenty twenty-four"),
    ("from 2010-2020", "from twenty ten to twenty twenty"),
    ("up 25%", "up twenty-five percent"),
    ("Shares rose +5%", "Shares rose five percent"),
    ("between 5%-10%", "between five to ten percent"),
    ("a £5m deal", "a five million pounds deal"),
    ("$5-10 million", "five to ten million dollars"),
]

LEFT_AS_WRITTEN = ["9/11", "24/7", "a 3-2 win", "电话010-12345678", "G20峰会", "v1.2.3", "192.168.1.1", "1,2,3"]


@pytest.mark.parametrize(("written", "spoken"), CHINESE)
def test_chinese_numbers_are_said_in_chinese(written: str, spoken: str) -> None:
    assert spoken_numbers(written, "zh").text == spoken


@pytest.mark.parametrize(("written", "spoken"), ENGLISH)
def test_english_numbers_are_said_in_english(written: str, spoken: str) -> None:
    assert spoken_numbers(written, "en").text == spoken


@pytest.mark.parametrize("written", LEFT_AS_WRITTEN)
def test_codes_scores_and_dates_with_slashes_are_not_guessed_at(written: str) -> None:
    for language in ("zh", "en"):
        assert not any(word in spoken_numbers(written, language).text for word in ("分之", "至", "tenth", " to "))


def test_a_long_decimal_is_said_whole_and_quietly() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # cn2an warns, and cuts, past 16 decimal digits
        assert spoken_numbers("3.14159265358979323846", "zh").text.endswith("二三八四六")


def test_a_dash_between_numbers_is_a_range_not_a_pause() -> None:
    written = clean("2023—2024年度，价格上涨——很快", "zh-CN")
    assert written == "2023–2024年度，价格上涨，很快"
    assert spoken_numbers(written, "zh").text.startswith("二零二三至二零二四年度")


def test_languages_without_rules_and_text_without_digits_are_untouched() -> None:
    assert spoken_numbers("Preis 25% höher", None).text == "Preis 25% höher"
    assert spoken_numbers("没有数字。", "zh").text == "没有数字。"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789.,:：/-–%％$¥℃° 年月日万亿Mk增长a "), max_size=60))
def test_every_spoken_character_maps_back_into_the_written_text_in_order(written: str) -> None:
    for language in ("zh", "en"):
        spoken = spoken_numbers(written, language)
        positions = [spoken.written_position(index) for index in range(len(spoken.text) + 1)]
        assert positions == sorted(positions)
        assert all(0 <= position <= len(written) for position in positions)
        assert positions[-1] == len(written)


def _seconds(text: str, voice: str) -> float:
    clip = EspeakEngine().synthesize_now(text, VoiceSpec(voice))
    return len(clip.audio) / 2 / clip.sample_rate


@pytest.mark.parametrize(
    ("written", "words", "voice"),
    [
        ("增长25%。", "增长百分之二十五。", "cmn"),
        ("约37,000人。", "约三万七千人。", "cmn"),
        ("It cost $600M.", "It cost six hundred million dollars.", "en-us"),
    ],
)
def test_the_offline_voice_says_the_words_not_the_symbols(written: str, words: str, voice: str) -> None:
    """espeak-ng varies a few samples from run to run, so the same words last the same within 1%;
    read as written, each of these is at least 4% shorter ("percent", 三十七千, "dollar six hundred M")."""
    assert _seconds(written, voice) == pytest.approx(_seconds(words, voice), rel=0.01)


def test_offline_boundaries_point_into_the_written_text() -> None:
    clip = EspeakEngine().synthesize_now("增长25%。约37,000人。", VoiceSpec("cmn"))
    assert [boundary.text for boundary in clip.boundaries] == ["增长", "25%。", "约", "37,000", "人。"]


def test_captions_and_transcript_keep_the_written_form(tmp_path: Path) -> None:
    article = tmp_path / "growth.txt"
    article.write_text("经济增长\n\n今年经济增长5.2%，约37,000家企业受益。\n", encoding="utf-8")
    result = run_cli("episode", article, "--engine", "espeak", "--no-cache", "--no-fetch-cover")
    assert result.code == 0, result.err
    transcript = (tmp_path / "growth.transcript.txt").read_text(encoding="utf-8")
    captions = (tmp_path / "growth.vtt").read_text(encoding="utf-8")
    for written in ("5.2%", "37,000"):
        assert written in transcript and written in captions
    assert "百分之" not in transcript + captions
