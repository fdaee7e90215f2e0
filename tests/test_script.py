"""Script rules: what is read, by which voice, with which pauses — all without audio."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audiocast.errors import ProfileError, ScriptError
from audiocast.models import Article, Block
from audiocast.profiles import load_profile, parse_profile
from audiocast.script import build_script
from audiocast.script.sentences import fit, request_bytes, split_sentences
from audiocast.sources import read_source, read_text_as_article

from .conftest import EXAMPLE

ZH = load_profile("zh-CN")


def article_of(*blocks: Block, language: str = "zh-CN", source: str = "美国之音") -> Article:
    import datetime as dt

    return Article(id="x", title="标题", link="https://www.voachinese.com/a/x.html",
                   published=dt.datetime(2023, 11, 27, tzinfo=dt.UTC), source_name=source, language=language,
                   blocks=blocks)


def test_opening_is_title_then_source_and_date_and_outro_names_the_source() -> None:
    script = build_script(read_source(str(EXAMPLE)), ZH)
    roles = [segment.role for segment in script.segments]
    assert roles[:2] == ["title", "meta"] and roles[-1] == "outro"
    assert script.segments[1].text == "美国之音，2023年11月27日"
    assert script.segments[-1].text == "以上是美国之音的报道。"
    assert script.segments[0].chapter == script.article.title


def test_headings_open_chapters_with_the_long_pause_on_both_sides() -> None:
    script = build_script(read_source(str(EXAMPLE)), ZH)
    segments = script.segments
    for index, segment in enumerate(segments):
        if segment.role == "heading":
            assert segment.chapter == segment.text
            assert segment.pause_after_ms == ZH.pauses.heading
            assert segments[index - 1].pause_after_ms == ZH.pauses.heading
        elif index:
            assert segment.chapter is None


def test_asides_are_set_apart_by_pauses() -> None:
    script = build_script(read_source(str(EXAMPLE)), ZH)
    segments = script.segments
    for index, segment in enumerate(segments):
        if segment.role == "aside":
            assert segment.pause_after_ms >= ZH.pauses.aside
            assert segments[index - 1].pause_after_ms >= ZH.pauses.aside


def test_one_segment_per_paragraph() -> None:
    article = read_source(str(EXAMPLE))
    paragraphs = [block for block in article.blocks if block.kind == "paragraph"]
    script = build_script(article, ZH)
    assert len([s for s in script.segments if s.role == "body"]) == len(paragraphs)


def test_long_paragraphs_are_cut_at_sentence_ends_within_the_limit() -> None:
    paragraph = "北约官员重申，北约致力于维护安全可靠的环境。" * 60
    script = build_script(article_of(Block("paragraph", paragraph)), ZH, max_segment_bytes=600)
    body = [s for s in script.segments if s.role == "body"]
    assert len(body) > 1
    assert all(request_bytes(s.text) <= 600 and s.text.endswith("。") for s in body)
    assert [s.ends_paragraph for s in body] == [False] * (len(body) - 1) + [True]
    assert all(s.pause_after_ms == ZH.pauses.sentence for s in body[:-1])
    assert "".join(s.text for s in body) == paragraph


def test_an_overlong_sentence_is_cut_at_commas() -> None:
    sentence = "，".join(["北约致力于维护安全可靠的环境"] * 40) + "。"
    pieces = fit(sentence, 400)
    assert len(pieces) > 1 and all(request_bytes(piece) <= 400 for piece in pieces)
    assert all(piece.endswith(("，", "。")) for piece in pieces)
    assert "".join(pieces) == sentence


def test_sentence_ends_are_cjk_aware() -> None:
    assert split_sentences("他说：“好。”然后走了！真的吗？是的；好……Next. Dr. Who? Yes!", "zh-CN") == [
        "他说：“好。”", "然后走了！", "真的吗？", "是的；", "好……", "Next. ", "Dr. Who? ", "Yes!"]


@pytest.mark.parametrize(
    ("raw", "spoken"),
    [
        ("华盛顿 — 明年北约庆祝成立75周年。", "华盛顿，明年北约庆祝成立75周年。"),
        ("最后一站——北马其顿首都斯科普里。", "最后一站，北马其顿首都斯科普里。"),
        ("美国国务卿安东尼·布林肯（Antony Blinken）前往布鲁塞尔。", "美国国务卿安东尼·布林肯（Antony Blinken）前往布鲁塞尔。"),
        ("详情见 https://www.voachinese.com/a/x.html 网站。", "详情见网站。"),
        ("图 images.weserv.nl?url=gdb.voanews.com/x_w900.jpg 说明。", "图说明。"),
        ("AT&amp;T 和 &lt;b&gt;粗体&lt;/b&gt; 以及&amp;nbsp;空格。", "AT&T和粗体以及空格。"),
        ("重申对乌克兰的 “坚定承诺”。", "重申对乌克兰的“坚定承诺”。"),
        ("太好了！！！🎉", "太好了！"),
    ],
)
def test_clean_up_for_the_ear(raw: str, spoken: str) -> None:
    script = build_script(article_of(Block("paragraph", raw)), ZH)
    assert script.segments[2].text == spoken


def test_unspeakable_blocks_are_dropped() -> None:
    script = build_script(article_of(Block("paragraph", "正文。"), Block("paragraph", "🎉🎉"),
                                     Block("paragraph", "……"), Block("figure", "（美联社照片）")), ZH)
    assert [s.text for s in script.segments if s.role in {"body", "aside"}] == ["正文。"]


def test_caption_credit_is_not_read_and_lead_in_comes_first() -> None:
    script = build_script(article_of(Block("paragraph", "正文。"),
                                     Block("figure", "布林肯抵达布鲁塞尔。（美联社照片）", src="x.jpg")), ZH)
    aside = next(s for s in script.segments if s.role == "aside")
    assert (aside.text, aside.voice) == ("图片说明：布林肯抵达布鲁塞尔。", "aside")


def test_english_article_uses_english_words() -> None:
    article = read_text_as_article("NATO talks\n\nWASHINGTON — Ministers met on Monday. (AP)\n", "x")
    script = build_script(article, load_profile("en-US"))
    body = next(segment for segment in script.segments if segment.role == "body")
    assert body.text.startswith("Washington, Ministers met")


def test_an_undated_article_never_speaks_a_made_up_date() -> None:
    import dataclasses

    dated = article_of(Block("paragraph", "正文。"))
    undated = dataclasses.replace(dated, dated=False)
    assert build_script(dated, ZH).segments[1].text == "美国之音，2023年11月27日"
    assert build_script(undated, ZH).segments[1].text == "美国之音"
    anonymous = read_text_as_article("Title\n\nThe quick brown fox jumps.\n", "x")
    roles = [s.role for s in build_script(anonymous, load_profile("en-US")).segments]
    assert roles == ["title", "body"]


def test_japanese_is_read_by_japanese_voices_rather_than_the_english_ones() -> None:
    from audiocast.episode import EpisodeOptions, choose_profile

    article = read_text_as_article("東京の天気\n\n今日は東京で雨が降っています。ひらがなとカタカナもあります。\n", "x")
    assert article.language == "ja-JP"
    profile = choose_profile(article, EpisodeOptions())
    assert profile.voices["edge"]["narrator"].startswith("ja-JP-") and profile.voices["espeak"]["narrator"] == "ja"
    assert profile.words.caption_lead_in == "写真説明："


def test_nothing_readable_is_a_script_error() -> None:
    with pytest.raises(ScriptError, match="nothing readable"):
        build_script(article_of(Block("paragraph", "🎉")), ZH)


def test_no_segment_is_only_punctuation_or_markup() -> None:
    for segment in build_script(read_source(str(EXAMPLE)), ZH).segments:
        assert re.search(r"\w", segment.text)
        assert not re.search(r"https?:|weserv|<|>|&\w+;", segment.text)


def test_language_picks_the_profile(tmp_path: object) -> None:
    from audiocast.episode import EpisodeOptions, plan

    traditional = read_text_as_article("台灣選舉\n\n台灣總統選舉的投票結果於週六晚間公佈，選民的投票率創下新高。\n", "x")
    assert plan(traditional, EpisodeOptions()).profile == "zh-TW"
    english = read_text_as_article("Title\n\nThe quick brown fox jumps over the lazy dog.\n", "x")
    assert plan(english, EpisodeOptions()).profile == "en-US"


def test_bad_profile_names_the_key() -> None:
    text = (EXAMPLE.parent.parent / "voices" / "zh-CN.toml").read_text(encoding="utf-8")
    with pytest.raises(ProfileError, match=r"^mine.toml: missing key \[espeak\] aside$"):
        parse_profile(text.replace('aside = "cmn+f3"', ""), origin="mine.toml")
    with pytest.raises(ProfileError, match=r"\[pauses\] heading must be milliseconds"):
        parse_profile(text.replace("heading = 1200", 'heading = "long"'), origin="mine.toml")
    with pytest.raises(ProfileError, match=r"\[prosody\] rate must look like"):
        parse_profile(text.replace('rate = "+0%"', 'rate = "fast"'), origin="mine.toml")
    with pytest.raises(ProfileError, match="not valid TOML"):
        parse_profile("name = ", origin="mine.toml")


def test_a_bundled_profile_name_wins_over_a_file_of_that_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "zh-CN").write_text("not a profile", encoding="utf-8")
    assert load_profile("zh-CN").name == "zh-CN"
    with pytest.raises(ProfileError, match=r"^missing.toml: voice profile not found$"):
        load_profile("missing.toml")
