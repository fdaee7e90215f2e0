"""Reading articles: golden files pin what each reader extracts; bad input fails with one line."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest

from audiocast.errors import ReadError
from audiocast.sources import article_from_entry, read_source

from .conftest import DATA, EXAMPLE

GOLDEN_CASES = {
    "voa_archive": EXAMPLE,  # the archive format: stamp, [title](link), <i> date, HTML body
    "chrome_page": DATA / "read" / "chrome_page.html",  # a web page full of chrome that must not be read
    "traditional": DATA / "read" / "traditional.html",  # Traditional Chinese, <strong> heading, canonical link
    "plain": DATA / "read" / "plain.txt",  # plain text: title line, paragraphs, # heading
}


def as_json(value: Any) -> Any:
    return json.loads(json.dumps(dataclasses.asdict(value), default=str, ensure_ascii=False))


UNDATED = {"plain"}  # no date in the source: stamped with the time it is read, so not pinned


@pytest.mark.parametrize("case", sorted(GOLDEN_CASES))
def test_reader_matches_golden(case: str) -> None:
    article = as_json(read_source(str(GOLDEN_CASES[case])))
    if case in UNDATED:
        article["published"] = "(when read)"
    golden = DATA / "read" / f"{case}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(json.dumps(article, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert article == json.loads(golden.read_text(encoding="utf-8"))


def test_archive_fields() -> None:
    article = read_source(str(EXAMPLE))
    assert article.title == "布林肯前往布鲁塞尔，北约加强对乌克兰的承诺"
    assert article.published.isoformat() == "2023-11-27T21:07:35+00:00"
    assert (article.source_name, article.language) == ("美国之音", "zh-CN")
    kinds = [block.kind for block in article.blocks]
    assert kinds.count("heading") == 3 and kinds.count("figure") == 2
    assert all("Mon, 27 Nov" not in block.text for block in article.blocks)


def test_archive_stamp_is_the_fallback_date(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("<div><i>Mon, 27 Nov 2023 21:07:35 GMT</i></div>", "")
    source = tmp_path / "undated.md"
    source.write_text(text, encoding="utf-8")
    assert read_source(str(source)).published.isoformat() == "2023-11-27T21:39:03+00:00"


def test_chrome_is_never_read() -> None:
    article = read_source(str(GOLDEN_CASES["chrome_page"]))
    text = " ".join(block.text for block in article.blocks)
    for chrome in ("dataLayer", "color:red", "Share on Twitter", "Comments", "Hidden", "hidden paragraph",
                   "Embedded tweet", "Storm hits coast", "storm harbor", "Read more", "Great news",
                   "All rights reserved", "More feeds", "Home"):
        assert chrome not in text, chrome
    assert article.title == "Harbor reopens after the storm"
    assert article.author == "Jane Doe"


def test_gbk_article_is_detected_and_read(tmp_path: Path) -> None:
    source = tmp_path / "gbk.md"
    source.write_bytes(EXAMPLE.read_text(encoding="utf-8").encode("gbk"))
    assert read_source(str(source)) == read_source(str(EXAMPLE))


def test_big5_page_is_detected_and_read(tmp_path: Path) -> None:
    source = tmp_path / "big5.html"
    source.write_bytes(GOLDEN_CASES["traditional"].read_text(encoding="utf-8").replace("utf-8", "big5").encode("big5"))
    article = read_source(str(source))
    assert article.language == "zh-TW"
    assert article.title == "台灣選舉結果出爐"


def test_feed_entry_uses_the_same_body_reader() -> None:
    body = EXAMPLE.read_text(encoding="utf-8").split("------", 1)[1]
    article = article_from_entry(title="T", link="https://www.voachinese.com/a/x.html", published=None,
                                 body_html=body)
    assert article.blocks == read_source(str(EXAMPLE)).blocks  # the date line is not read aloud…
    assert article.published.isoformat() == "2023-11-27T21:07:35+00:00"  # …it dates the entry


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"   \n\n  ", "is empty"),
        (bytes(range(256)) * 64, "is a binary file"),
        (b"<html><body><div><img src='x.jpg'></div></body></html>", "no article text found"),
        (b"x" * (4 * 1024 * 1024 + 10), "larger than 4 MB"),
    ],
    ids=["empty", "blank", "binary", "no-body-text", "huge"],
)
def test_bad_input_is_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    source = tmp_path / "bad.html"
    source.write_bytes(content)
    with pytest.raises(ReadError, match=message) as caught:
        read_source(str(source))
    assert str(caught.value).startswith(str(source)) and "\n" not in str(caught.value)


def test_missing_path() -> None:
    with pytest.raises(ReadError, match=r"^/no/such/article.md: no such file$"):
        read_source("/no/such/article.md")


def test_container_classes_that_merely_mention_chrome_words_are_read(tmp_path: Path) -> None:
    """WordPress puts tag-<slug> on every post; Bootstrap has hidden-xs and embed-responsive."""
    page = tmp_path / "wp.html"
    page.write_text(
        '<html><body><article class="post tag-politics has-video hidden-xs ads-free">'
        "<h1>Council votes on the budget</h1>"
        '<div class="entry-content embed-responsive"><p>The council approved the budget on Monday.</p></div>'
        '<div class="td-post-sharing"><a href="#">Share on Facebook</a> <span>Tweet this</span></div>'
        '<div class="entry-related-posts"><p>Earlier: council delays vote</p></div>'
        "</article></body></html>",
        encoding="utf-8",
    )
    article = read_source(str(page))
    assert [block.text for block in article.blocks] == ["The council approved the budget on Monday."]
