"""Short pages (a news brief of a few sentences) read like long ones, in every language.

trafilatura answers a page whose article is under 250 characters with its rescue: the page's text
as plain paragraphs, often run into one, without the headline's and the figure's places. These
pages are the general shape of such a brief: a headline, a photo with its caption and three short
paragraphs, alone in an ``<article>`` or with a site's navigation, related links and footer around.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from audiocast.models import Block
from audiocast.sources import read_source

from .conftest import run_cli
from .http_helpers import QuietHandler, serving


@dataclass(frozen=True)
class Brief:
    language: str
    headline: str
    caption: str
    paragraphs: tuple[str, ...]


BRIEFS = (
    Brief(
        "zh-CN",
        "大桥修复后重新开放",
        "图为重新开放的大桥。",
        ("经过六个月的维修，这座大桥于周一重新开放。", "司机们对此表示欢迎，称通勤时间大大缩短。", "市政府表示，今年还将维修另外两座桥梁。"),
    ),
    Brief(
        "en-US",
        "Bridge reopens",
        "The reopened bridge.",
        ("The old bridge reopened on Monday.", "Drivers welcomed the shorter commute.", "The city will repair two more bridges."),
    ),
    Brief(
        "ja-JP",
        "橋が修理を終えて再開",
        "再開した橋。",
        ("半年間の修理を経て、橋は月曜日に再開した。", "運転手たちは通勤時間が短くなったと歓迎した。", "市は今年さらに二つの橋を修理する予定だ。"),
    ),
    Brief(
        "ko-KR",
        "다리, 보수 마치고 다시 개통",
        "다시 개통된 다리.",
        ("6개월간의 보수 끝에 다리가 월요일에 다시 개통됐다.", "운전자들은 출퇴근 시간이 줄었다며 반겼다.", "시는 올해 다리 두 곳을 더 보수할 계획이다."),
    ),
    Brief(
        "ar-EG",
        "إعادة فتح الجسر بعد إصلاحه",
        "الجسر بعد إعادة فتحه.",
        ("أعيد فتح الجسر القديم يوم الاثنين.", "رحب السائقون بتقصير مدة التنقل.", "ستصلح المدينة جسرين آخرين هذا العام."),
    ),
)


LONGER = "It was the third bridge the city repaired in as many years, its engineers said."


def article_html(brief: Brief) -> str:
    paragraphs = "".join(f"<p>{text}</p>" for text in brief.paragraphs)
    return (
        f"<article><h1>{brief.headline}</h1>"
        f'<figure><img src="bridge.jpg"><figcaption>{brief.caption}</figcaption></figure>{paragraphs}</article>'
    )


def site_page(brief: Brief) -> str:
    """The brief on a site: a title with the site's name, navigation, related links and a footer."""
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{brief.headline} - Riverside Courier</title></head>"
        "<body><header><a href='/'>Riverside Courier</a></header>"
        "<nav><a href='/news'>News</a> <a href='/sport'>Sport</a> <a href='/weather'>Weather</a></nav>"
        f"<main>{article_html(brief)}"
        "<ul class='related'><li><a href='/a'>Harbor reopens after storm</a></li>"
        "<li><a href='/b'>Ferries resume their winter timetable</a></li></ul></main>"
        "<footer><p>© Riverside Courier. About us | Contact | Privacy</p></footer></body></html>"
    )


def expected_blocks(brief: Brief) -> list[Block]:
    return [Block("figure", brief.caption, src="bridge.jpg"), *(Block("paragraph", text) for text in brief.paragraphs)]


def body_characters(brief: Brief) -> int:
    return len(brief.headline + brief.caption + "".join(brief.paragraphs))


@pytest.mark.parametrize("brief", BRIEFS, ids=[brief.language for brief in BRIEFS])
@pytest.mark.parametrize("shape", [article_html, site_page], ids=["article", "site"])
def test_a_short_page_keeps_its_headline_caption_and_paragraphs_apart(brief: Brief, shape: object, tmp_path: Path) -> None:
    assert body_characters(brief) < 250  # under trafilatura's threshold for a thin page
    assert callable(shape)
    page = tmp_path / "brief.html"
    page.write_text(shape(brief), encoding="utf-8")
    article = read_source(str(page))
    assert article.title == brief.headline
    assert list(article.blocks) == expected_blocks(brief)
    assert article.language == brief.language


def test_a_short_page_served_over_http_reads_the_caption_once_as_an_aside() -> None:
    brief = BRIEFS[0]

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            body = site_page(brief).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serving(Handler) as site:
        result = run_cli("script", f"{site}/news/bridge.html", "--json")
    assert result.code == 0, result.err
    segments = json.loads(result.out)["segments"]
    read = [segment for segment in segments if segment["role"] != "meta"]  # the source and date line
    assert [segment["role"] for segment in read][:5] == ["title", "aside", "body", "body", "body"]
    assert [segment["text"] for segment in read][2:5] == list(brief.paragraphs)
    assert brief.caption in read[1]["text"]
    spoken = " ".join(segment["text"] for segment in segments)
    assert spoken.count(brief.headline) == 1 and spoken.count(brief.caption) == 1


def test_the_same_page_with_longer_paragraphs_reads_the_same(tmp_path: Path) -> None:
    """The control: past the threshold trafilatura reads the page itself, with the same blocks."""
    short = BRIEFS[1]
    brief = Brief(short.language, short.headline, short.caption, tuple(f"{text} {LONGER}" for text in short.paragraphs))
    assert body_characters(brief) > 250
    page = tmp_path / "long.html"
    page.write_text(site_page(brief), encoding="utf-8")
    article = read_source(str(page))
    assert list(article.blocks) == expected_blocks(brief)


def test_a_body_only_in_the_pages_json_ld_is_still_read_whole(tmp_path: Path) -> None:
    """A page its scripts fill in shows a teaser; its JSON-LD ``articleBody`` is the only copy of the story."""
    story = [f"Part {n} of the story: the council decided what becomes of the harbor and its ferries." for n in range(6)]
    metadata = {"@context": "https://schema.org", "@type": "NewsArticle", "articleBody": " ".join(story)}
    page = tmp_path / "scripted.html"
    page.write_text(
        "<html><head><title>Council votes on harbor</title>"
        f"<script type='application/ld+json'>{json.dumps(metadata)}</script></head>"
        f"<body><h1>Council votes on harbor</h1><div id='app'><p>{story[0]}</p></div></body></html>",
        encoding="utf-8",
    )
    article = read_source(str(page))
    assert " ".join(block.text for block in article.blocks) == " ".join(story)
