"""A page's title loses the site's name in any language and script, and keeps a headline's own dash or colon.

The pages have only a ``<title>`` (no ``og:title``, no ``<h1>``) and are read as served from 127.0.0.1,
so the title alone, or what the page shows around the article, must tell the site's name apart.
"""

from __future__ import annotations

import pytest

from audiocast.sources.page import read_page

BODIES = {
    "fr": "<p>Le gouvernement a présenté mardi un projet de budget qui prévoit des économies importantes.</p>",
    "ru": "<p>Президент провел во вторник совещание с постоянными членами Совета безопасности страны.</p>",
    "ar": "<p>قالت وزارة الصحة إن ثلاثة أشخاص قتلوا في غارة على مدينة غزة صباح اليوم الثلاثاء.</p>",
    "ja": "<p>東京都心では午後、気温が三十度を超え、今年初めての真夏日となりました。熱中症に警戒が必要です。</p>",
    "de": "<p>Der Bundestag hat am Freitag nach langer Debatte das neue Gesetz mit knapper Mehrheit beschlossen.</p>",
    "en": "<p>The central bank left its main rate unchanged on Wednesday and said inflation was still too high.</p>",
}


def _read(title: str, language: str, *, around: str = "", address: str = "http://127.0.0.1:8000/story.html") -> str:
    page = (f"<html><head><title>{title}</title></head><body>{around}"
            f"<article>{BODIES[language]}</article></body></html>")
    return read_page(page, "page.html", address=address).title


@pytest.mark.parametrize(
    ("title", "language", "headline"),
    [
        ("Le gouvernement présente un budget d'économies – Le Monde", "fr", "Le gouvernement présente un budget d'économies"),
        ("Путин провел совещание с постоянными членами Совбеза - РИА Новости", "ru",
         "Путин провел совещание с постоянными членами Совбеза"),
        ("مقتل ثلاثة أشخاص في غارة على مدينة غزة - الجزيرة نت", "ar", "مقتل ثلاثة أشخاص في غارة على مدينة غزة"),
        ("東京都心で今年初の真夏日　熱中症に警戒を：NHKニュース", "ja", "東京都心で今年初の真夏日 熱中症に警戒を"),
        ("Bundestag beschließt neues Gesetz - DER SPIEGEL", "de", "Bundestag beschließt neues Gesetz"),
        ("Bundestag beschließt neues Gesetz | Politik | ZEIT ONLINE", "de", "Bundestag beschließt neues Gesetz"),
    ],
    ids=["fr en dash", "ru", "ar", "ja full-width colon", "de capitals", "de section and site"],
)
def test_the_sites_name_is_removed_in_any_language(title: str, language: str, headline: str) -> None:
    assert _read(title, language) == headline


def test_a_lower_case_site_name_goes_when_the_domain_spells_it() -> None:
    title = "Le gouvernement présente un budget d'économies - lemonde.fr"
    assert _read(title, "fr", address="https://www.lemonde.fr/politique/1.html") == (
        "Le gouvernement présente un budget d'économies"
    )


def test_a_lower_case_site_name_goes_when_the_page_shows_it_as_its_logo() -> None:
    logo = '<header><a href="/"><img src="/logo.svg" alt="taz"></a></header>'
    title = "Bundestag beschließt neues Gesetz nach langer Debatte - taz"
    assert _read(title, "de", around=logo) == "Bundestag beschließt neues Gesetz nach langer Debatte"
    assert _read(title, "de") == title  # without the logo, "taz" could be a headline's last word


@pytest.mark.parametrize(
    ("title", "language"),
    [
        ("Why the Fed held rates - and what comes next", "en"),
        ("Fed holds rates – live updates", "en"),
        ("Fed Holds Rates – Markets Shrug", "en"),  # as long as the part before: a headline's two halves
        ("Lindner: Wir werden die Schuldenbremse einhalten", "de"),
        ("岸田首相：増税は行わない方針を表明", "ja"),  # a full-width colon in a headline, not before a site's name
        ("COVID-19 cases rise in the north", "en"),
    ],
)
def test_a_headlines_own_dash_or_colon_is_kept(title: str, language: str) -> None:
    assert _read(title, language) == title


def test_words_of_the_article_near_no_copyright_mark_are_not_taken_for_the_sites_name() -> None:
    title = "Ministers meet in Brussels on the budget - and agree on nothing"
    page = (f"<html><head><title>{title}</title></head><body><article><p>The ministers met for ten hours on "
            "Tuesday, and in the end, as one of them said, as so often they talk and agree on nothing, "
            "with the next meeting weeks away and the deadline for the budget drawing near.</p></article>"
            "<footer>© 2024 Example Media Group. All rights reserved.</footer></body></html>")
    assert read_page(page, "page.html").title == title


def test_a_site_name_with_a_hyphen_inside_a_word_is_removed_whole() -> None:
    title = "Simple hiking survival kit for a day out with the kids - The Anti-June Cleaver"
    page = (f'<html><head><title>{title}</title><meta property="og:site_name" content="The Anti-June Cleaver">'
            f"</head><body><article>{BODIES['en']}</article></body></html>")
    assert read_page(page, "page.html").title == "Simple hiking survival kit for a day out with the kids"
