"""The script stage in languages other than Chinese and English: sentence ends in every script,
request-sized pieces, and no rule written for English or Chinese leaking into other languages."""

from __future__ import annotations

import pytest

from audiocast.script.speech import strip_photo_credit


@pytest.mark.parametrize(
    ("caption", "read"),
    [
        ("Die Brücke am Abend. (Foto: Reuters)", "Die Brücke am Abend."),
        ("Le pont le soir. Photo : AFP", "Le pont le soir."),
        ("Trekkers near Everest base camp (Solukhumbu, Nepal)", "Trekkers near Everest base camp (Solukhumbu, Nepal)"),
        ("Los dos barrios (antes de la separación)", "Los dos barrios (antes de la separación)"),
        ("Водители на трассе (в сторону Москвы)", "Водители на трассе (в сторону Москвы)"),
    ],
)
def test_photo_credits_are_whole_words_in_any_language(caption: str, read: str) -> None:
    assert strip_photo_credit(caption) == read
