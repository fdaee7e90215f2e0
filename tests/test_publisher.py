"""The publisher a listener hears is the real one, not the mirror, proxy or aggregator that relayed it."""

from __future__ import annotations

from pathlib import Path

from audiocast.feedbuild.sources import read_items
from audiocast.profiles import profile_for_language
from audiocast.script import build_script
from audiocast.sources.feed import parse_feed
from tests.conftest import read_id3
from tests.feed_helpers import build, write_definition

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
