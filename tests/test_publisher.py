"""The publisher a listener hears is the real one, not the mirror, proxy or aggregator that relayed it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from audiocast.feedbuild.sources import read_items
from audiocast.profiles import profile_for_language
from audiocast.script import build_script
from audiocast.sources.feed import parse_feed
from audiocast.sources.sites import source_name
from tests.conftest import DATA, read_id3, run_cli
from tests.feed_helpers import build, write_definition
from tests.http_helpers import QuietHandler, serving

BODY = "<p>{text}</p>"
ZH = "北约外长周二在布鲁塞尔开会，讨论对乌克兰的长期支持和防务开支。"
EN = "The startup raised a new round of funding to expand its developer tools across Europe."


def _rss(channel: str, items: list[str], *, extra_ns: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" {extra_ns}><channel>'
        f"{channel}{''.join(items)}</channel></rss>"
    ).encode()


def _item(title: str, link: str, text: str, extra: str = "") -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link><guid>{link}#{title}</guid>"
        f"<pubDate>Tue, 28 Nov 2023 10:00:00 GMT</pubDate>{extra}"
        f"<description><![CDATA[{BODY.format(text=text)}]]></description></item>"
    )


MIRROR = _rss(
    "<title>RSS 存档</title><link>https://someone.github.io/archive/</link>",
    [
        _item("北约外长会议", "https://someone.github.io/archive/a.html", ZH, "<author>德國之聲</author>"),
        _item("布林肯访问北约", "https://someone.github.io/archive/b.html", ZH,
              '<source url="https://www.voachinese.com/api/feed">美国之音中文网</source>'),
        _item("北约防务开支", "https://someone.github.io/archive/c.html", ZH, "<category>VOA</category>"),
        _item("无名来源", "https://someone.github.io/archive/d.html", ZH),
    ],
)

PROXY = _rss(
    "<title>TechCrunch</title><link>https://techcrunch.com</link>",
    [
        _item("Startup raises", "http://feedproxy.google.com/~r/Techcrunch/~3/abc/", EN,
              "<feedburner:origLink>https://techcrunch.com/2011/11/02/startup-raises/</feedburner:origLink>"),
        _item("Another startup", "http://feedproxy.google.com/~r/Techcrunch/~3/def/", EN),
    ],
    extra_ns='xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"',
)


def _names(feed: bytes, location: str) -> list[tuple[str, str]]:
    read = parse_feed(feed, location)
    return [(item.article.source_name, item.article.link) for item in read.items]


def test_an_archive_mirror_names_the_publisher_from_author_source_or_category_never_the_mirror() -> None:
    names = _names(MIRROR, "https://someone.github.io/archive/feed.xml")
    assert [name for name, _ in names] == ["德国之声", "美国之音", "美国之音", ""]
    assert all("github" not in name.lower() for name, _ in names)


def test_a_feed_proxy_gives_way_to_the_original_link_and_the_feeds_own_name() -> None:
    names = _names(PROXY, "http://feeds.feedburner.com/Techcrunch")
    assert names[0] == ("TechCrunch", "https://techcrunch.com/2011/11/02/startup-raises/")
    assert names[1][0] == "TechCrunch"


def test_a_publishers_own_feed_is_named_by_its_site_as_before() -> None:
    feed = _rss("<title>Some Feed</title>", [_item("北约会议", "https://www.dw.com/zh/a-1", ZH, "<author>王明</author>")])
    [(name, link)] = _names(feed, "https://rss.example.org/dw.xml")
    assert (name, link) == ("德国之声", "https://www.dw.com/zh/a-1")


def test_the_spoken_opening_and_outro_name_the_publisher_not_the_mirror() -> None:
    article = parse_feed(MIRROR, "https://someone.github.io/archive/feed.xml").items[0].article
    spoken = " ".join(segment.text for segment in build_script(article, profile_for_language(article.language)).segments)
    assert "德国之声" in spoken and "Someone" not in spoken and "Github" not in spoken


def test_a_mirror_entry_with_no_known_publisher_speaks_the_date_alone() -> None:
    article = parse_feed(MIRROR, "https://someone.github.io/archive/feed.xml").items[3].article
    meta = next(segment for segment in build_script(article, profile_for_language(article.language)).segments if segment.role == "meta")
    assert meta.text == "2023年11月28日"


def test_the_feed_key_names_every_episode_and_re_makes_them(tmp_path: Path) -> None:
    feed = tmp_path / "mirror.xml"
    feed.write_bytes(MIRROR)
    plain = read_items(str(feed), timeout=5)
    named = read_items(str(feed), timeout=5, source_name="RSS 存档馆")
    assert {item.article.source_name for item in named.items} == {"RSS 存档馆"}
    assert all(a.content_hash != b.content_hash for a, b in zip(plain.items, named.items, strict=True))


def test_a_feed_build_tags_and_speaks_the_real_publisher(tmp_path: Path) -> None:
    feed = tmp_path / "mirror.xml"
    feed.write_bytes(_rss(MIRROR.decode().split("<item>")[0].split("<channel>")[1], [
        _item("北约外长会议", "https://someone.github.io/archive/a.html", ZH, "<author>德國之聲</author>"),
    ]))
    definition = write_definition(tmp_path, feed, language="zh-CN")
    report = build(definition, tmp_path / "cache")
    assert report.episodes == 1
    episodes = tmp_path / "public" / "show" / "episodes"
    [mp3] = episodes.glob("*.mp3")
    tags = read_id3(mp3)
    assert str(tags["TPE1"]) == "德国之声"
    transcript = next(episodes.glob("*.transcript.txt")).read_text(encoding="utf-8")
    assert "德国之声" in transcript and "Someone" not in transcript


def test_an_image_enclosure_is_never_taken_for_the_articles_address() -> None:
    feed = _rss("<title>存档</title>", [_item(
        "北约会议", "https://someone.github.io/archive/e.html", ZH,
        '<enclosure url="https://cdn.example.net/img/2.jpg" type="image/jpeg" length="1000"/>',
    )])
    [(name, link)] = _names(feed, "https://someone.github.io/archive/feed.xml")
    assert (name, link) == ("", "https://someone.github.io/archive/e.html")


def test_a_known_publishers_own_feed_is_not_renamed_by_a_category() -> None:
    feed = _rss("<title>The Guardian</title><link>https://www.theguardian.com/</link>", [_item(
        "Licence fee", "https://www.theguardian.com/media/2024/dec/11/licence-fee", EN, "<category>BBC</category>",
    )])
    [(name, _)] = _names(feed, "https://www.theguardian.com/uk/rss")
    assert name == "The Guardian"


# Web pages: the known site's name, else the name the page gives itself, else a domain word that reads as one.

PAGES = DATA / "pages" / "zh"
DE = ("<p>Der Senat hat am Dienstag einen neuen Plan für den Ausbau der Radwege in der ganzen Stadt vorgestellt.</p>"
      "<p>Bis zum Jahr 2030 sollen mehr als zweihundert Kilometer neue Wege entstehen, sagte die Senatorin.</p>")


def _page(head: str, body: str = DE, title: str = "Senat stellt neuen Radwegeplan für Berlin vor") -> str:
    return f"<html><head><title>{title}</title>{head}</head><body><article>{body}</article></body></html>"


class _Pages(QuietHandler):
    routes: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body or b"")


def _script_of(page: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """``audiocast script --json`` of ``page`` served from 127.0.0.1, as the listener's tool reads it."""
    monkeypatch.setattr(_Pages, "routes", {"/story.html": page.encode()})
    with serving(_Pages) as base:
        result = run_cli("script", f"{base}/story.html", "--engine", "espeak", "--json")
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads(result.out)
    return document


def _meta(document: dict[str, Any]) -> str:
    return str(next(segment["text"] for segment in document["segments"] if segment["role"] == "meta"))


def test_a_page_without_a_name_of_its_own_is_named_by_its_titles_site_part_not_a_made_up_domain_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document = _script_of((PAGES / "cjddsb_finance.html").read_text(encoding="utf-8"), monkeypatch)
    assert document["source"] == "当代商报"
    assert _meta(document) == "当代商报，2019年9月23日"
    assert "Cjddsb" not in json.dumps(document, ensure_ascii=False)


@pytest.mark.parametrize(
    ("head", "name"),
    [
        ('<meta property="og:site_name" content="Tagesspiegel">', "Tagesspiegel"),
        ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Senat stellt Radwegeplan vor",'
         ' "publisher": {"@type": "Organization", "name": "Berliner Morgenpost"}}</script>', "Berliner Morgenpost"),
        ('<script type="application/ld+json">{"@type": "NewsArticle", "isPartOf": {"@type": "WebSite",'
         ' "name": "Berliner Zeitung"}}</script>', "Berliner Zeitung"),
        ('<meta name="application-name" content="rbb24">', "rbb24"),
        ('<meta property="og:site_name" content="Deutsche Welle">', "DW"),  # a known publisher, by the table's name
        ('<meta name="application-name" content="rbb24"><meta property="og:site_name" content="tagesspiegel.de">'
         '<script type="application/ld+json">{"publisher": {"name": "Berliner Morgenpost"}}</script>', "Tagesspiegel"),
        ('<meta property="og:site_name" content="@berlinerzeitung">', "Berlinerzeitung"),
        ('<meta property="og:site_name" content="B.Z. - Die Stimme Berlins">', "B.Z."),
    ],
    ids=["og:site_name", "json-ld publisher", "json-ld isPartOf", "application-name", "known name", "order",
         "handle", "slogan"],
)
def test_a_page_is_named_by_the_name_it_gives_itself(head: str, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    document = _script_of(_page(head), monkeypatch)
    assert document["source"] == name
    assert _meta(document).startswith(name)


@pytest.mark.parametrize(
    ("canonical", "name"),
    [
        ("https://www.dw.com/de/radwege/a-1", "DW"),  # the table knows the site: its name wins over the page's
        ("https://someone.github.io/archive/radwege.html", ""),  # a mirror's own name is not the publisher's
    ],
    ids=["known site", "mirror"],
)
def test_the_known_table_wins_and_a_mirror_is_never_the_publisher(
    canonical: str, name: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    head = f'<link rel="canonical" href="{canonical}"><meta property="og:site_name" content="Someone Archiv">'
    assert _script_of(_page(head), monkeypatch)["source"] == name


@pytest.mark.parametrize(
    ("link", "language", "name"),
    [
        ("https://www3.nhk.or.jp/news/html/20240101/k1.html", "ja-JP", ""),
        ("https://www3.nhk.or.jp/nhkworld/en/news/1/", "en-US", ""),  # "nhk" is not a word, and never "Www3"
        ("https://www.gov.cn/yaowen/2024-01/01/content_1.htm", "zh-CN", ""),  # gov.cn has no registrable name
        ("https://www.gov.cn/english/news/1.htm", "en-US", ""),
        ("https://m.yna.co.kr/view/AKR1", "en-US", ""),
        ("https://www.smh.com.au/national/story.html", "en-US", ""),
        ("http://www.cjddsb.com/ym/xhy/532601.html", "zh-CN", ""),  # a Chinese voice reading Latin letters
        ("https://www.lemonde.fr/politique/article/1.html", "fr-FR", "Lemonde"),
        ("https://amp.tagesspiegel.de/politik/1.html", "de-DE", "Tagesspiegel"),
        ("https://news.example.co.uk/story", "en-US", "Example"),
        ("http://127.0.0.1:8000/story.html", "en-US", ""),
    ],
)
def test_a_domain_word_is_the_registrable_name_and_only_when_it_reads_as_a_word(
    link: str, language: str, name: str,
) -> None:
    assert source_name(link, language) == name


def test_a_page_with_no_name_anywhere_and_no_domain_word_names_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    document = _script_of(_page(""), monkeypatch)
    assert document["source"] == ""
    assert not any("127" in segment["text"] for segment in document["segments"])
