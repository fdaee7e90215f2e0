"""The script stage in languages other than Chinese and English: sentence ends in every script,
request-sized pieces, and no rule written for English or Chinese leaking into other languages."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audiocast.engines.espeak import EspeakEngine, number_language
from audiocast.models import Article, Block
from audiocast.profiles import load_profile
from audiocast.script import build_script
from audiocast.script.numbers import spoken_numbers
from audiocast.script.sentences import fit, request_bytes, split_sentences
from audiocast.script.speech import clean, strip_photo_credit

from .conftest import write_profile


@pytest.mark.parametrize(
    ("caption", "read"),
    [
        ("Die Brücke am Abend. (Foto: Reuters)", "Die Brücke am Abend."),
        ("Le pont le soir. Photo : AFP", "Le pont le soir."),
        ("Die Brücke am Abend. Foto: dpa", "Die Brücke am Abend."),
        ("Мост вечером. Фото: ТАСС", "Мост вечером."),
        ("Trekkers near Everest base camp (Solukhumbu, Nepal)", "Trekkers near Everest base camp (Solukhumbu, Nepal)"),
        ("Los dos barrios (antes de la separación)", "Los dos barrios (antes de la separación)"),
        ("Водители на трассе (в сторону Москвы)", "Водители на трассе (в сторону Москвы)"),
    ],
)
def test_photo_credits_are_whole_words_in_any_language(caption: str, read: str) -> None:
    assert strip_photo_credit(caption) == read


# Sentence ends in every script.


@pytest.mark.parametrize(
    ("language", "text", "sentences"),
    [
        ("ar-EG", "هل وصل الوفد؟ نعم. وصل صباحا.", ["هل وصل الوفد؟ ", "نعم. ", "وصل صباحا."]),
        ("ur-PK", "وفد پہنچ گیا۔ اجلاس کل ہوگا۔", ["وفد پہنچ گیا۔ ", "اجلاس کل ہوگا۔"]),
        ("fa-IR", "آیا هیئت رسید؟ بله.", ["آیا هیئت رسید؟ ", "بله."]),
        ("hi-IN", "बैठक कल होगी। प्रतिनिधि पहुँच गए॥", ["बैठक कल होगी। ", "प्रतिनिधि पहुँच गए॥"]),
        ("bn-BD", "সভা কাল হবে। প্রতিনিধিরা এসেছেন।", ["সভা কাল হবে। ", "প্রতিনিধিরা এসেছেন।"]),
        ("my-MM", "အစည်းအဝေး မနက်ဖြန် ဖြစ်မည်။ကိုယ်စားလှယ်များ ရောက်ပြီ။", ["အစည်းအဝေး မနက်ဖြန် ဖြစ်မည်။", "ကိုယ်စားလှယ်များ ရောက်ပြီ။"]),
        ("km-KH", "កិច្ចប្រជុំនឹងធ្វើនៅថ្ងៃស្អែក។ គណៈប្រតិភូបានមកដល់៕", ["កិច្ចប្រជុំនឹងធ្វើនៅថ្ងៃស្អែក។ ", "គណៈប្រតិភូបានមកដល់៕"]),
        ("hy-AM", "Պատվիրակությունը ժամանեց։ Հանդիպումը վաղն է։", ["Պատվիրակությունը ժամանեց։ ", "Հանդիպումը վաղն է։"]),
        ("am-ET", "ስብሰባው ነገ ነው። ልዑካኑ ደርሰዋል፧", ["ስብሰባው ነገ ነው። ", "ልዑካኑ ደርሰዋል፧"]),
        ("el-GR", "Έφτασε η αντιπροσωπεία; Ναι, σήμερα.", ["Έφτασε η αντιπροσωπεία; ", "Ναι, σήμερα."]),
        ("el-GR", "Έφτασε η αντιπροσωπεία\u037e Ναι.", ["Έφτασε η αντιπροσωπεία\u037e ", "Ναι."]),
        ("de-DE", "Am 27. November 2023 stieg der DAX um 3,5 %. Dann fiel er z. B. wieder.",
         ["Am 27. November 2023 stieg der DAX um 3,5 %. ", "Dann fiel er z. B. wieder."]),
        ("ru-RU", "В 2023 г. индекс вырос на 3,5 %. «Готово!» — сказал он. А. С. Пушкин родился в Москве.",
         ["В 2023 г. индекс вырос на 3,5 %. ", "«Готово!» — сказал он. ", "А. С. Пушкин родился в Москве."]),
        ("es-ES", "Fuimos al mar. Luego volvimos a casa.", ["Fuimos al mar. ", "Luego volvimos a casa."]),
        ("es-ES", "El Sr. García viajó a EE.UU. Allí habló.", ["El Sr. García viajó a EE.UU. Allí habló."]),
        ("de-DE", "Der Umsatz stieg auf 5 Mio. Euro. Siehe Nr. 5.", ["Der Umsatz stieg auf 5 Mio. Euro. ", "Siehe Nr. 5."]),
        ("vi-VN", "Tại TP. Hồ Chí Minh, giá tăng. Sau đó giảm.", ["Tại TP. Hồ Chí Minh, giá tăng. ", "Sau đó giảm."]),
        ("fr-FR", "Ils étaient sept. Puis ils sont partis. « Non. » Il a ri.",
         ["Ils étaient sept. ", "Puis ils sont partis. ", "« Non. » ", "Il a ri."]),
        ("en-US", "They were at sea in Sept. 2023. Mr. Smith said no.",
         ["They were at sea in Sept. 2023. ", "Mr. Smith said no."]),
    ],
)
def test_sentences_end_where_each_script_ends_them(language: str, text: str, sentences: list[str]) -> None:
    assert split_sentences(text, language) == sentences


THAI = "ประชุมสุดยอดผู้นำจะจัดขึ้นที่กรุงเทพ ผู้แทนจากสิบประเทศเดินทางมาถึงแล้ว นายกรัฐมนตรีกล่าวต้อนรับ"


def test_thai_spaces_are_no_sentence_ends_and_long_thai_is_cut_between_phrases_only_when_needed() -> None:
    assert split_sentences(THAI, "th-TH") == [THAI]
    assert fit(THAI, 3000) == [THAI]
    pieces = fit(THAI, 150)
    assert len(pieces) > 1 and "".join(pieces) == THAI
    assert all(request_bytes(piece) <= 150 and piece.endswith(" ") for piece in pieces[:-1])


def test_a_run_without_spaces_or_marks_is_cut_between_whole_characters() -> None:
    khmer = "កិច្ចប្រជុំនឹងធ្វើនៅថ្ងៃស្អែក" * 8
    hindi = "प्रतिनिधिमंडलपहुँचगया" * 8
    for run in (khmer, hindi):
        pieces = fit(run, 60)
        assert "".join(pieces) == run and all(request_bytes(piece) <= 60 for piece in pieces)
        for piece in pieces[1:]:  # no piece starts with a vowel sign or a consonant joined to the one before
            assert unicodedata.category(piece[0]) not in {"Mn", "Mc"} and unicodedata.combining(piece[0]) == 0
        for before, after in itertools.pairwise(pieces):
            assert unicodedata.combining(before[-1]) != 9, (before[-3:], after[:3])  # not after a virama


def test_a_run_with_zero_width_spaces_is_cut_at_them() -> None:
    words = ["ကိုယ်စားလှယ်များ", "ရောက်ပြီ", "အစည်းအဝေး", "မနက်ဖြန်"] * 6
    run = "\u200b".join(words)
    pieces = fit(run, 100)
    assert "".join(pieces) == run
    assert all(piece.endswith("\u200b") for piece in pieces[:-1])


def test_a_space_cut_that_leaves_too_much_is_cut_again() -> None:
    pieces = fit("a " + "b" * 8 + "北", 10)
    assert "".join(pieces) == "a " + "b" * 8 + "北"
    assert all(request_bytes(piece) <= 10 for piece in pieces), pieces


SCRIPTS = st.sampled_from([
    "abc XYZ", "北约外长", "नमस्ते क्ष", "ภาษาไทย", "ကိုယ်စား", "កិច្ចប្រជុំ", "مرحبا می‌خواهم", "Ελλάδα", "Привет",
    "ስብሰባ", "Հայ", "e\u0301\u0301", "👩\u200d💻", "&<>\"'",
])  # fmt: skip
MARKS = st.sampled_from([*". ,;:!?…。！？；，、؟۔।॥။។៕։።፧،\u200b\n\u00a0", ". ", "» ", "« "])
TEXTS = st.lists(st.one_of(SCRIPTS, MARKS, st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, limit=st.integers(min_value=5, max_value=120))
def test_pieces_of_any_text_join_back_and_each_fits_the_limit(text: str, limit: int) -> None:
    pieces = fit(text, limit)
    assert "".join("".join(pieces).split()) == "".join(text.split())
    assert all(request_bytes(piece) <= limit for piece in pieces), pieces


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, language=st.sampled_from(["en-US", "de-DE", "ru-RU", "th-TH", "ar-EG", "el-GR", "zh-CN", None]))
def test_sentences_of_any_text_join_back(text: str, language: str | None) -> None:
    assert "".join(split_sentences(text, language)) == text or not text.strip()


# Nothing written for English or Chinese leaks into other languages.

GERMAN = (
    "Am 27. November 2023 stieg der DAX um 3,5 % auf 16.000 Punkte. Am 01.12.2023 lag er bei 15.950,25 Punkten, "
    "also −0,4 % – von 9 bis 17 Uhr wurden 1/3 mehr Aktien gehandelt als 2022."
)
RUSSIAN = (
    "27 ноября 2023 г. индекс вырос на 3,5 % до 16 000 пунктов. 01.12.2023 он упал на 0,4 % — "
    "с 9:00 до 17:00 торговали на 1/3 больше, чем в 2022 году; за 2010–2020 гг. рынок вырос в 2,5 раза."
)
ENGLISH_WORDS = re.compile(
    r"\b(?:percent|point|thousand|hundred|million|and|to|of|minus|third|first|seventh|December|twenty|nineteen)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize(("language", "espeak", "paragraph"), [("de-DE", "de", GERMAN), ("ru-RU", "ru", RUSSIAN)])
def test_numbers_dates_and_percents_are_left_to_the_languages_own_voice(
    tmp_path: Path, language: str, espeak: str, paragraph: str
) -> None:
    profile = load_profile(str(write_profile(tmp_path, language, espeak, lead_in="")))
    article = Article(
        id="n", title="Börse", link="", published=dt.datetime(2023, 12, 1, tzinfo=dt.UTC), source_name="",
        language=language, blocks=(Block("paragraph", paragraph),),
    )  # fmt: skip
    body = [segment for segment in build_script(article, profile).segments if segment.role == "body"]
    numbers = re.compile(r"\d[\d.,:/ ]*\s?%?")
    assert numbers.findall("".join(segment.text for segment in body)) == numbers.findall(paragraph)  # as written
    engine = EspeakEngine()
    for segment in body:
        voice = profile.voice_for("espeak", segment.voice)
        spoken = spoken_numbers(segment.text, number_language(voice.name)).text
        assert not ENGLISH_WORDS.search(spoken), spoken
        assert spoken == segment.text.replace("16 000", "16000")  # digits as written, a spaced number whole
        clip = engine.synthesize_now(segment.text, voice)
        assert " ".join(boundary.text for boundary in clip.boundaries).split() == segment.text.split()
    assert [len(segment.sentences) for segment in body] == [2]  # "27. November" and "2023 г." end nothing


@pytest.mark.parametrize(
    ("raw", "language", "spoken"),
    [
        ("القاهرة — قال الرئيس", "ar-EG", "القاهرة، قال الرئيس"),
        ("تهران — می‌خواهم بروم", "fa-IR", "تهران، می‌خواهم بروم"),  # the ZWNJ that spells the word stays
        ("क्\u200dष — नया", "hi-IN", "क्\u200dष, नया"),
        ("ရန်ကုန် — မြို့", "my-MM", "ရန်ကုန်၊ မြို့"),
        ("서울 — 회의가 열렸다", "ko-KR", "서울, 회의가 열렸다"),
        ("東京——会議が開かれた", "ja-JP", "東京、会議が開かれた"),
        ("ภาษา\u200bไทย\u200bง่าย", "th-TH", "ภาษาไทยง่าย"),  # a zero-width space is no pause
        ("Хорошо 👩\u200d💻!", "ru-RU", "Хорошо!"),
        ("«Готово!» — сказал он.", "ru-RU", "«Готово!» сказал он."),
        ("هل وصل؟؟؟", "ar-EG", "هل وصل؟"),
    ],
)
def test_clean_up_for_the_ear_in_other_scripts(raw: str, language: str, spoken: str) -> None:
    assert clean(raw, language) == spoken
