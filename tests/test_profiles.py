"""Every language in its own voice: profiles derived from the voice catalogs, phrases, dates, errors."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from audiocast.engines import voice_catalog
from audiocast.engines.edge import ENDPOINT_ENV
from audiocast.engines.edge_list import snapshot_voices
from audiocast.engines.espeak import list_voices as espeak_voices
from audiocast.episode import EpisodeOptions, make_episode
from audiocast.errors import ProfileError
from audiocast.feedbuild import load_feed_config
from audiocast.language import detect_language
from audiocast.locales import Tag
from audiocast.models import Article, Block
from audiocast.phrases import words_for
from audiocast.profiles import bundled_profiles, load_profile, parse_profile, profile_for_language
from audiocast.script import build_script, spoken_date
from audiocast.synth import SynthOptions

from .conftest import decode_mp3, read_id3, run_cli
from .fake_edge import FakeEdge, fake_edge
from .feed_helpers import build, parsed, write_definition
from .test_edge_engine import closed_port

__all__ = ["fake_edge"]  # the fixture, used by name

SNAPSHOT = snapshot_voices()
GENDER = {voice["ShortName"]: voice["Gender"] for voice in SNAPSHOT}
LOCALES = sorted({voice["Locale"] for voice in SNAPSHOT if (Tag.parse(voice["Locale"]) or Tag("")).variant is None})
BUNDLED_LANGUAGES = {"en", "zh"}

PHRASED = (
    "en", "zh-CN", "zh-TW", "yue", "ja", "ko", "vi", "th", "id", "ms", "km", "my", "hi", "ur", "bn",
    "fa", "ar", "he", "tr", "ru", "uk", "es", "pt", "fr", "de", "it", "nl", "pl", "sw", "el",
)
"""The languages the issue asks to be spoken with words of their own."""

GERMAN = (
    "Wetter in Berlin\n\nAm Montag regnet es in Berlin den ganzen Tag, sagte der Deutsche Wetterdienst. "
    "Die Temperaturen bleiben kühl, und am Abend wird es windig.\n"
)
YORUBA = "Ìròyìn\n\nÒjò rọ̀ ní ìlú Èkó lónìí, àwọn ará ìlú sì dúró sí ilé wọn.\n"


def language_of(locale: str) -> str:
    tag = Tag.parse(locale)
    assert tag is not None
    return tag.language


def reads_as(text: str, language: str) -> None:
    """The article ``text`` (title first) is detected as ``language``: the premise of a test."""
    assert detect_language(text) == language


@pytest.mark.parametrize("locale", LOCALES)
def test_every_snapshot_locale_is_read_by_voices_of_its_own_language(locale: str) -> None:
    profile = profile_for_language(locale)
    language = language_of(locale)
    if language in BUNDLED_LANGUAGES:
        assert not profile.derived and profile.name in bundled_profiles()
        return
    edge = profile.voices["edge"]
    assert profile.derived and edge["narrator"].startswith(f"{locale}-")  # the locale asked for
    own = {voice["ShortName"] for voice in SNAPSHOT if language_of(voice["Locale"]) == language}
    assert set(edge.values()) <= own
    assert len(set(edge.values())) == len(edge)  # narrator, aside and fallback are three voices
    genders = {voice["Gender"] for voice in SNAPSHOT if voice["Locale"] == locale}
    if len(genders) > 1:
        assert GENDER[edge["aside"]] != GENDER[edge["narrator"]]
    offline = {name.lower() for name in espeak_voices()}
    espeak = profile.voices.get("espeak")
    if espeak:
        assert espeak["narrator"].lower() in offline and espeak["aside"] == f"{espeak['narrator']}+f3"
        assert language_of(espeak["narrator"]) == language


def test_derived_voices_are_chosen_deterministically_plain_before_multilingual() -> None:
    assert profile_for_language("de-DE").voices == {
        "edge": {"narrator": "de-DE-AmalaNeural", "aside": "de-DE-ConradNeural", "fallback": "de-DE-KatjaNeural"},
        "espeak": {"narrator": "de", "aside": "de+f3"},
    }
    assert profile_for_language("de").voices == profile_for_language("de-DE").voices  # the likely region
    assert profile_for_language("pt").voices["edge"]["narrator"] == "pt-BR-AntonioNeural"
    assert profile_for_language("pt").voices["espeak"]["narrator"] == "pt-BR"  # the likely region's espeak voice
    assert profile_for_language("pt-PT").voices["espeak"]["narrator"] == "pt"
    assert profile_for_language("ar-EG").voices["edge"]["fallback"].startswith("ar-")  # another locale's
    assert profile_for_language("ko-KR").voices["edge"]["fallback"] == "ko-KR-HyunsuMultilingualNeural"
    assert profile_for_language("de-LU").voices == profile_for_language("de-DE").voices  # no voices: likely
    assert profile_for_language("iw").voices["espeak"]["narrator"] == "he"  # a legacy code
    assert profile_for_language("no").voices["edge"]["narrator"].startswith("nb-NO-")
    assert profile_for_language("ja-JP") is profile_for_language("ja-JP")  # derived once


def test_cantonese_is_not_chinese_and_bundled_profiles_win() -> None:
    cantonese = profile_for_language("yue-HK")
    assert cantonese.derived and cantonese.voices["espeak"]["narrator"] == "yue"
    assert {cantonese.voices["edge"][role] for role in ("narrator", "aside")} <= {
        voice["ShortName"] for voice in SNAPSHOT if voice["Locale"] == "zh-HK"
    }
    assert cantonese.words.outro == "以上係{source}嘅報道。"
    picked = {tag: profile_for_language(tag).name for tag in ("zh-CN", "zh", "zh-SG", "zh-TW", "zh-HK", "en-GB", "en")}
    assert picked == {
        "zh-CN": "zh-CN", "zh": "zh-CN", "zh-SG": "zh-CN", "zh-TW": "zh-TW", "zh-HK": "zh-TW",
        "en-GB": "en-US", "en": "en-US",
    }  # fmt: skip
    assert not any(profile_for_language(tag).derived for tag in picked)


def test_a_language_neither_engine_speaks_is_one_error_naming_it() -> None:
    with pytest.raises(ProfileError) as raised:
        profile_for_language("yo-NG")
    assert str(raised.value) == (
        "no voice speaks Yoruba (yo): neither the online voices nor espeak-ng read it; "
        "pass --voice-profile with a language tag such as de-DE, or FILE.toml"
    )
    with pytest.raises(ProfileError, match=r"^no voice speaks the language 'not a tag': "):
        profile_for_language("not a tag")


def test_an_engine_that_does_not_speak_the_language_says_so_and_names_the_other() -> None:
    khmer, esperanto = profile_for_language("km-KH"), profile_for_language("eo")
    assert khmer.voice_for("edge", "narrator").name == "km-KH-PisethNeural"
    with pytest.raises(ProfileError) as offline:
        khmer.voice_for("espeak", "narrator")
    assert str(offline.value) == (
        "the offline voice (espeak-ng) does not speak Khmer (km); use --engine edge, which needs the network"
    )
    assert esperanto.voice_for("espeak", "aside").name == "eo+f3"
    with pytest.raises(ProfileError) as online:
        esperanto.voice_for("edge", "narrator")
    assert str(online.value) == "the online voices (edge) do not speak Esperanto (eo); use --engine espeak"


@pytest.mark.parametrize("language", PHRASED)
def test_the_phrases_are_in_the_language_itself(language: str) -> None:
    words, english = words_for(language), words_for("en")
    assert "{source}" in words.meta and "{date}" in words.meta and "{source}" in words.outro
    assert words.caption_lead_in.strip() and words.outro.strip()
    assert not re.search(r"[A-Za-z]", words.meta.replace("{source}", "").replace("{date}", ""))
    if language != "en":
        assert words.caption_lead_in != english.caption_lead_in and words.outro != english.outro
        assert not re.search(r"\b(Photo|caption|story|This|from)\b", words.caption_lead_in + words.outro)


def test_bundled_profiles_take_their_words_from_the_phrase_table_and_a_user_may_override_them() -> None:
    for name in bundled_profiles():
        profile = load_profile(name)
        assert profile.words == words_for(profile.language)
    text = Path(__file__).parents[1].joinpath("voices", "en-US.toml").read_text(encoding="utf-8")
    mine = parse_profile(text + '\n[words]\noutro = "Read by me."\ndate = "{day}/{month}/{year}"\n', origin="m.toml")
    assert mine.words.outro == "Read by me." and mine.words.caption_lead_in == "Photo caption:"
    assert spoken_date(dt.datetime(2023, 11, 27), mine) == "27/11/2023"


def test_dates_are_said_the_cldr_way_for_each_language() -> None:
    when = dt.datetime(2023, 11, 27, 21, 7)
    said = {tag: spoken_date(when, profile_for_language(tag)) for tag in ("en-US", "zh-CN", "de-DE", "ar-EG", "ja-JP")}
    assert said == {
        "en-US": "November 27, 2023", "zh-CN": "2023年11月27日", "de-DE": "27. November 2023",
        "ar-EG": "27 نوفمبر 2023", "ja-JP": "2023年11月27日",
    }  # fmt: skip
    text = Path(__file__).parents[1].joinpath("voices", "en-US.toml").read_text(encoding="utf-8")
    unknown = parse_profile(text.replace('language = "en-US"', 'language = "qaa"'), origin="m.toml")
    assert spoken_date(when, unknown) == "2023-11-27"  # a language CLDR does not know: no English month


def article_in(language: str, *, blocks: tuple[Block, ...]) -> Article:
    return Article(
        id="x", title="Titolo", link="https://example.org/a", published=dt.datetime(2023, 11, 27, tzinfo=dt.UTC),
        source_name="Gazeto", language=language, blocks=blocks,
    )  # fmt: skip


def test_a_language_without_phrases_gets_no_english_words() -> None:
    article = article_in("eo", blocks=(Block("paragraph", "La vetero estas bona hodiaŭ."), Block("figure", "Foto.")))
    script = build_script(article, profile_for_language("eo"))
    spoken = {segment.role: segment.text for segment in script.segments}
    assert "outro" not in spoken
    assert spoken["aside"] == "Foto." and spoken["meta"].startswith("Gazeto, ")
    assert not re.search(r"Photo|caption|story|November", " ".join(spoken.values()))


def test_a_german_article_is_read_offline_by_the_german_voice(tmp_path: Path) -> None:
    article = article_in("de-DE", blocks=(Block("paragraph", "Heute regnet es in Berlin den ganzen Tag."),))
    episode = make_episode(article, tmp_path / "de.mp3", EpisodeOptions(engine="espeak", fetch_cover=False))
    assert [segment.text for segment in episode.script.segments][1:] == [
        "Gazeto, 27. November 2023", "Heute regnet es in Berlin den ganzen Tag.", "Das war ein Bericht von Gazeto.",
    ]  # fmt: skip
    assert len(decode_mp3(tmp_path / "de.mp3")) > 22050  # more than a second of speech


def test_auto_reads_a_language_only_the_offline_voice_speaks_without_asking_the_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, "not a websocket address")  # any attempt to reach the service would fail
    article = article_in("eo", blocks=(Block("paragraph", "La vetero estas bona hodiaŭ."),))
    episode = make_episode(article, tmp_path / "eo.mp3", EpisodeOptions(fetch_cover=False))
    assert episode.clips_synthesized == len(episode.script.segments) and (tmp_path / "eo.mp3").stat().st_size > 0


def test_script_names_the_voices_of_a_german_article(tmp_path: Path) -> None:
    source = tmp_path / "wetter.txt"
    source.write_text(GERMAN, encoding="utf-8")
    reads_as(GERMAN, "de-DE")

    shown = run_cli("script", source)
    document = json.loads(run_cli("script", source, "--json").out)
    offline = run_cli("script", source, "--engine", "espeak")

    assert shown.code == 0, shown.err
    assert shown.out.splitlines()[:3] == [
        "profile de-DE (derived from the voice catalogs), language de-DE",
        "voices edge: narrator de-DE-AmalaNeural, aside de-DE-ConradNeural, fallback de-DE-KatjaNeural",
        "voices espeak (offline, when edge cannot be reached): narrator de, aside de+f3",
    ]
    assert document["voices"] == profile_for_language("de-DE").voices and document["profile_derived"] is True
    assert offline.out.splitlines()[1] == "voices espeak: narrator de, aside de+f3"
    assert "de-DE-AmalaNeural" not in offline.out


def test_script_says_which_engine_cannot_read_the_language(tmp_path: Path) -> None:
    source = tmp_path / "khmer.txt"
    source.write_text("ព័ត៌មាន\n\nថ្ងៃនេះមានភ្លៀងធ្លាក់នៅភ្នំពេញ។\n", encoding="utf-8")
    reads_as(source.read_text(encoding="utf-8"), "km-KH")

    both = run_cli("script", source)
    offline = run_cli("script", source, "--engine", "espeak")

    assert both.code == 0 and "voices espeak (offline, when edge cannot be reached): the offline voice (espeak-ng) " \
        "does not speak Khmer (km)" in both.out.splitlines()
    assert (offline.code, offline.err) == (
        1, "error: the offline voice (espeak-ng) does not speak Khmer (km); use --engine edge, which needs the network\n"
    )  # fmt: skip


def test_an_unspoken_language_is_one_line_on_stderr(tmp_path: Path) -> None:
    source = tmp_path / "iroyin.txt"
    source.write_text(YORUBA, encoding="utf-8")
    reads_as(YORUBA, "yo-NG")

    result = run_cli("episode", source, "--engine", "espeak", "--no-fetch-cover")

    assert result.code == 1 and result.out == ""
    assert result.err == (
        "error: no voice speaks Yoruba (yo): neither the online voices nor espeak-ng read it; "
        "pass --voice-profile with a language tag such as de-DE, or FILE.toml\n"
    )
    assert not (tmp_path / "iroyin.mp3").exists()


def test_voices_lists_portuguese_offline_from_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{closed_port()}/edge/v1")
    catalog = voice_catalog("pt-BR", timeout=2)
    online = {entry.name for entry in catalog.entries if entry.engine == "edge"}
    assert not catalog.live
    assert online == {"pt-BR-AntonioNeural", "pt-BR-FranciscaNeural", "pt-BR-ThalitaMultilingualNeural"}
    assert [entry.name for entry in catalog.entries if entry.engine == "espeak"] == ["pt-BR", "pt"]  # its own first
    assert len({voice["Locale"] for voice in snapshot_voices()}) >= 140


@pytest.mark.parametrize(
    ("language", "narrator", "aside"),
    [
        ("de-DE", "de-DE-AmalaNeural", "de-DE-ConradNeural"),
        ("ja-JP", "ja-JP-KeitaNeural", "ja-JP-NanamiNeural"),
        ("ar-EG", "ar-EG-SalmaNeural", "ar-EG-ShakirNeural"),
        ("yue-HK", "zh-HK-HiuGaaiNeural", "zh-HK-WanLungNeural"),
    ],
)
def test_the_online_service_is_asked_for_the_languages_own_voices(
    language: str, narrator: str, aside: str, fake_edge: FakeEdge, tmp_path: Path
) -> None:
    article = article_in(language, blocks=(Block("paragraph", "Eins zwei drei."), Block("figure", "Vier fünf.")))
    options = EpisodeOptions(engine="edge", fetch_cover=False, synth=SynthOptions(jobs=1, cache_dir=None))
    episode = make_episode(article, tmp_path / "online.mp3", options)
    by_text = {turn.text: turn.voice for turn in fake_edge.turns}
    for segment in episode.script.segments:
        assert by_text[segment.text] == (aside if segment.role == "aside" else narrator)
    assert len(decode_mp3(tmp_path / "online.mp3")) > 0


def test_a_language_tag_names_that_languages_profile_on_the_command_line_and_in_a_feed(tmp_path: Path) -> None:
    french = Path(__file__).parent / "data" / "articles" / "fr.md"
    shown = run_cli("script", french, "--voice-profile", "pt-BR", "--engine", "espeak")
    definition = write_definition(tmp_path, french.parent, profile="pt-BR")

    assert shown.code == 0, shown.err
    assert shown.out.splitlines()[:2] == [
        "profile pt-BR (derived from the voice catalogs), language fr-FR",
        "voices espeak: narrator pt-BR, aside pt-BR+f3",
    ]
    assert load_feed_config(definition).profile == "pt-BR"
    assert load_profile("pt-BR") == profile_for_language("pt-BR")


def test_a_date_template_names_the_month_in_the_profiles_language() -> None:
    text = Path(__file__).parents[1].joinpath("voices", "en-US.toml").read_text(encoding="utf-8")
    french = text.replace('language = "en-US"', 'language = "fr-FR"') + '\n[words]\ndate = "le {day} {month_name} {year}"\n'
    assert spoken_date(dt.datetime(2023, 11, 27), parse_profile(french, origin="fr.toml")) == "le 27 novembre 2023"


@pytest.mark.parametrize(
    ("table", "line", "message"),
    [
        ("words", 'outtro = "Bye."', "unknown key 'outtro' in [words]; known keys: caption_lead_in, meta, date, outro"),
        ("edge", 'narator = "x"', "unknown key 'narator' in [edge]; known keys: narrator, aside, fallback"),
        ("pauses", "sentance = 1", "unknown key 'sentance' in [pauses]; known keys: sentence, paragraph, heading, aside"),
        ("voices", 'narrator = "x"', "unknown key 'voices'; known keys: name, language, edge, espeak, prosody, pauses, words"),
    ],
)
def test_a_profile_with_an_unknown_key_is_refused_naming_the_file_and_the_key(
    table: str, line: str, message: str
) -> None:
    text = Path(__file__).parents[1].joinpath("voices", "en-US.toml").read_text(encoding="utf-8")
    header = f"[{table}]\n"
    mine = text.replace(header, header + line + "\n") if header in text else text + "\n" + header + line + "\n"
    with pytest.raises(ProfileError) as raised:
        parse_profile(mine, origin="mine.toml")
    assert str(raised.value) == f"mine.toml: {message}"


def offline_listing(output: str) -> list[str]:
    """The voice names under "Offline voices" in ``audiocast voices`` output."""
    section = output.split("Offline voices")[1].split("\n\n")[0].splitlines()[1:]
    return [line[2:].split()[0] for line in section if "variant" not in line and line != "  (none)"]


@pytest.mark.parametrize("locale", ["de-DE", "fr-FR", "ar-EG", "pt-PT", "vi-VN", "es-MX", "yue-HK", "nb-NO"])
def test_voices_for_a_tag_lists_first_the_offline_voice_its_profile_reads_with(
    locale: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{closed_port()}/edge/v1")
    shown = run_cli("voices", "--language", locale, "--timeout", "1")
    listed = offline_listing(shown.out)
    assert shown.code == 0, shown.err
    assert listed[0] == profile_for_language(locale).voices["espeak"]["narrator"]
    family = {"yue": "yue"}.get(language_of(locale), language_of(locale))
    assert all(name.split("-")[0] == family for name in listed)  # the language's, none of another


def test_voices_for_a_language_reads_its_tag_as_detection_gives_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{closed_port()}/edge/v1")
    norwegian, tagalog = run_cli("voices", "--language", "no"), run_cli("voices", "--language", "tl")
    assert "  nb-NO-FinnNeural" in norwegian.out.splitlines()[1] and offline_listing(norwegian.out) == ["nb"]
    assert tagalog.out.splitlines()[1].startswith("  fil-PH-") and offline_listing(tagalog.out) == []


def test_voices_filtered_by_language_says_how_variants_work_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{closed_port()}/edge/v1")
    everything, german = run_cli("voices", "--timeout", "1"), run_cli("voices", "--language", "de-DE", "--timeout", "1")
    assert "+f3" in everything.out and "+klatt" in everything.out
    assert "+klatt" not in german.out
    assert [line for line in german.out.splitlines() if "+f3" in line] == [
        "  variants are appended to an offline voice (de+f3); 'audiocast voices' lists them"
    ]


def test_voices_for_a_language_no_voice_speaks_is_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{closed_port()}/edge/v1")
    yoruba, unknown, malformed = (run_cli("voices", "--language", code) for code in ("yo-NG", "xx", "English"))
    assert (yoruba.code, yoruba.out, yoruba.err) == (
        1, "", "error: no voice speaks Yoruba (yo): neither the online voices nor espeak-ng read it\n"
    )  # fmt: skip
    assert (unknown.code, unknown.err) == (
        1, "error: no voice speaks the language 'xx': neither the online voices nor espeak-ng read it\n"
    )  # fmt: skip
    assert (malformed.code, malformed.err) == (
        2, "error: invalid value for --language: 'English' is not a language tag such as de, de-DE or zh-TW; "
        "see 'audiocast voices --help'\n",
    )  # fmt: skip


ESPERANTO = (
    "Nova fervoja plano\n\nLa registaro de Germanio anoncis novan planon por la fervojoj. Laŭ la ministro, la "
    "trajnoj devos esti pli rapidaj kaj pli ĝustatempaj ĝis la jaro 2030, kaj la ŝtato pagos la plej grandan parton.\n"
)


def test_an_esperanto_article_is_read_by_the_esperanto_voice(tmp_path: Path) -> None:
    source = tmp_path / "eo.txt"
    source.write_text(ESPERANTO, encoding="utf-8")
    reads_as(ESPERANTO, "eo")

    shown = run_cli("script", source, "--engine", "espeak")

    assert shown.code == 0, shown.err
    assert shown.out.splitlines()[:2] == [
        "profile eo (derived from the voice catalogs), language eo", "voices espeak: narrator eo, aside eo+f3"
    ]


def test_an_esperanto_episode_keeps_its_bare_tag_in_every_output(tmp_path: Path) -> None:
    source = tmp_path / "eo.txt"
    source.write_text(ESPERANTO, encoding="utf-8")

    made = run_cli("episode", source, "--engine", "espeak", "--no-fetch-cover", "--no-cache")

    assert made.code == 0, made.err
    assert len(decode_mp3(tmp_path / "eo.mp3")) > 22050
    assert (tmp_path / "eo.vtt").read_text(encoding="utf-8").splitlines()[1] == "Language: eo"
    assert re.fullmatch("[a-z]{3}", read_id3(tmp_path / "eo.mp3")["TLAN"].text[0])  # an ISO 639-2 code


def test_a_feed_of_esperanto_articles_carries_the_bare_tag_to_podcast_apps_and_the_page(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "eo.md").write_text(ESPERANTO, encoding="utf-8")
    definition = write_definition(tmp_path, articles, language="eo")

    report = build(definition, tmp_path / "cache")

    show = tmp_path / "public" / "show"
    with_feedparser, with_podcastparser = parsed(show / "feed.xml")
    assert (report.episodes, report.failed) == (1, ()) and with_feedparser.feed.language == "eo"
    assert len(with_podcastparser["episodes"]) == 1
    assert 'srclang="eo"' in (show / "index.html").read_text(encoding="utf-8")
