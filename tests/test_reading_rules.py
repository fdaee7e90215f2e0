"""What a newsreader would read: each thing once, only the article, every caption an aside.

Fixtures are small snippets in the shapes real feeds use (not copies of any one site). Each rule has
a positive case and, where a rule could eat article text, a negative case that must stay.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from audiocast.models import Article, Block
from audiocast.profiles import profile_for_language
from audiocast.script import build_script
from audiocast.script.speech import clean, strip_photo_credit
from audiocast.sources import article_from_entry, read_source
from audiocast.sources.feed import parse_feed
from audiocast.tally import counting

from .conftest import DATA

BODY = "<p>The council approved the new budget on Monday after a long debate.</p>"
ZH_BODY = "<p>市议会周一在长时间辩论后通过了新预算，预计明年开始实施。</p>"


def read(body: str, title: str = "Council passes budget") -> Article:
    return article_from_entry(title=title, link="https://news.example.org/a/1", published=None, body_html=body)


def texts(body: str, title: str = "Council passes budget") -> list[tuple[str, str]]:
    return [(block.kind, block.text) for block in read(body, title).blocks]


def spoken(body: str, title: str = "Council passes budget") -> str:
    return " ".join(block.text for block in read(body, title).blocks)


# --- each thing read once -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    ["<h1>Council passes budget</h1>", "<p><strong>Council passes budget!</strong></p>", "<p>Council  passes — budget</p>"],
)
def test_a_body_that_opens_with_the_headline_does_not_read_it_again(first: str) -> None:
    assert texts(first + BODY) == [("paragraph", "The council approved the new budget on Monday after a long debate.")]


def test_the_headline_after_a_lead_image_is_not_read_again() -> None:
    body = '<img src="lead.jpg" alt="市议会通过预算"><p>市议会通过预算。</p>' + ZH_BODY
    assert [kind for kind, _ in texts(body, "市议会通过预算")] == ["paragraph"]


def test_alt_text_equal_to_the_title_is_not_a_caption() -> None:
    assert texts('<img src="lead.jpg" alt="Council passes budget">' + BODY)[0][0] == "paragraph"


def test_alt_text_that_repeats_a_nearby_paragraph_is_not_a_caption() -> None:
    body = '<img src="a.jpg" alt="Council members vote on the budget">' + "<p>Council members vote on the budget.</p>" + BODY
    assert texts(body) == [
        ("paragraph", "Council members vote on the budget."),
        ("paragraph", "The council approved the new budget on Monday after a long debate."),
    ]


def test_a_caption_repeated_in_the_body_is_read_once_as_the_aside() -> None:
    body = (
        '<img src="a.jpg"><div><small>2024年12月11日，市议员在议会投票。（美联社照片）</small></div>'
        "<p>2024年12月11日，市议员在议会投票。</p>" + ZH_BODY
    )
    assert texts(body, "预算通过") == [
        ("figure", "2024年12月11日，市议员在议会投票。（美联社照片）"),
        ("paragraph", "市议会周一在长时间辩论后通过了新预算，预计明年开始实施。"),
    ]


def test_a_paragraph_that_merely_resembles_the_headline_is_read() -> None:
    body = "<p>Council passes budget, but the mayor vows a veto.</p>" + BODY
    assert texts(body)[0] == ("paragraph", "Council passes budget, but the mayor vows a veto.")


# --- only the article ------------------------------------------------------------------------------

FURNITURE = {
    "rfc stamp": "<p>Thu, 12 Dec 2024 18:29:07 GMT</p>",
    "iso stamp": "<div>2024-12-12T15:07:50.371Z</div>",
    "byline glued to stamp": "<p>null方子齊2024-12-12T15:07:50.371Z</p>",
    "byline and stamp": "<p>Jens Thurau 2024-12-11T08:50:21.069Z</p>",
    "editor credits": "<p>责编：王明 网编：李华</p>",
    "translator": "<p>（译者：陈文）</p>",
    "design credits": "<p>视觉：张三 | 版式：李四 | 校对：王五</p>",
    "image credits": "<p>Image credits: Getty Images / Bloomberg</p>",
    "reporting line": "<p>(Reporting by Jane Doe; Editing by John Roe)</p>",
    "byline": "<p>By Jane Doe and John Roe, Example News</p>",
    "reporter and source": "<p>记者：王明 来源：本报</p>",
    "written by": "<p>文/王明</p>",
    "wordpress footer": "<p>The post <a href='/a'>Council passes budget</a> appeared first on <a href='/'>City Desk</a>.</p>",
    "original link": "<p>原文链接：<a href='https://x.org/a'>https://x.org/a</a></p>",
    "metadata box": "<h3>档案卡</h3><p>标题：会议纪要 作者：王明 发表日期：2023-08-01 来源：本站 版权说明：转载请注明</p>",
    "copyright notice": "<p>版权声明：本文为原创，版权所有，未经许可不得转载。</p>",
    "(c) and a year": "<p>(c) 2024 Example News</p>",
    "(c) and a name": "<p>(c) Example News Ltd.</p>",
    "feed footer": "<p>获取更多RSS：https://feeds.example.org/</p>",
    "contact e-mail": "<p>投稿邮箱：tips@example.org</p>",
    "contact e-mail, English": "<p>Contact us: newsroom@example.org</p>",
    "follow line": "<p>Follow @citydesk on Twitter</p>",
    "tweet client chrome": "<p>47 minutes ago via Twitter for Mac ReplyRetweetFavorite</p>",
    "tweet signature": "<p>— Jane Doe (@janedoe) December 1, 2024</p>",
}


@pytest.mark.parametrize("furniture", sorted(FURNITURE))
def test_furniture_is_not_read(furniture: str) -> None:
    assert texts(BODY + FURNITURE[furniture]) == [(
        "paragraph", "The council approved the new budget on Monday after a long debate."
    )]


@pytest.mark.parametrize(
    "body",
    [
        "<h3>延伸閱讀</h3><p><a href='/a/2'>議會否決預算</a></p><p><a href='/a/3'>市長談預算</a></p>",
        "<p>延伸阅读：<a href='/a/2'>议会否决预算</a></p><ul><li><a href='/a/3'>市长谈预算</a>（视频）</li></ul>",
        "<p><strong>Related:</strong></p><p><a href='/a/2'>Council rejects budget</a> (2023)</p>",
        "<p>Read more: <a href='/a/2'>Council rejects budget in 2023</a></p>",
    ],
    ids=["zh-tw heading and links", "zh inline and list", "en heading and links", "en inline"],
)
def test_related_reading_lists_are_not_read(body: str) -> None:
    assert [kind for kind, _ in texts(BODY + body)] == ["paragraph"]


@pytest.mark.parametrize(
    "box",
    [
        "<p>Company: Google<br>Website:<br>Launch Date: July 9, 1998<br>IPO: NASDAQ:GOOG</p>",
        "<div>Company: Google</div><div>Website:</div><div>Launch Date: July 9, 1998</div><div>IPO: NASDAQ:GOOG</div>",
    ],
    ids=["lines", "blocks"],
)
def test_key_value_widgets_are_not_read(box: str) -> None:
    assert [kind for kind, _ in texts(BODY + box)] == ["paragraph"]


@pytest.mark.parametrize(
    ("paragraph", "read_as"),
    [
        ("<p>会场外聚集了数百名抗议者（程皓楠摄）</p>", "会场外聚集了数百名抗议者"),
        ("<p>这是他在家中的工作室。（受访者提供）</p>", "这是他在家中的工作室。"),
        ("<p>议员们在周四投票。（责任编辑：李四）</p>", "议员们在周四投票。"),
        ("<p>会场外聚集了数百名抗议者。（新华社记者李明 摄）</p>", "会场外聚集了数百名抗议者。"),
        ("<p>The vote ended with a narrow majority. 2024-12-12T15:07:50Z</p>", "The vote ended with a narrow majority."),
        ("<p>Thu, 12 Dec 2024 18:29:07 GMT The vote ended with a narrow majority.</p>", "The vote ended with a narrow majority."),
        ("<p>Mayors gathered at noon. pic.twitter.com/AbC123xyz</p>", "Mayors gathered at noon."),
    ],
)
def test_credits_stamps_and_picture_links_are_cut_out_of_a_paragraph_that_stays(paragraph: str, read_as: str) -> None:
    assert texts(BODY + paragraph, "预算")[1] == ("paragraph", read_as)


REAL_SENTENCES = [
    "他说，编辑：这是一个需要认真对待的问题。",
    "该报编辑王明表示，报道经过了三次核实。",
    "Copyright law in Europe is changing, and publishers are worried.",
    "Readers can write to tips@example.org with any questions about the new rules and the vote.",
    "The vote was set for 2024-12-12, a week after the hearing.",
    "会议定于2024年12月12日举行，届时将公布结果。",
    "Follow the money, the auditor told the council.",
    "（本文参考了路透社的报道。）",
    "Note: the figures were revised on Tuesday.",
    "Related to this, the mayor said the city would borrow less next year.",
    "Read more carefully, the rules leave room for exceptions.",
    "Visit the new exhibition hall.",
    "By Tuesday, the council had voted twice.",
    "文：这是他写给家人的最后一封信。",
    "The post office will close early on Friday.",
    "The post office said the parcels appeared first on Monday at the depot.",
    "The post office said the parcels appeared first on Monday.",
    "More farmers feed their cattle imported soy than a decade ago, the survey found.",
    "更多用户订阅了这项服务，公司收入因此增长了三成。",
    "Subscribe to the newsletter, the mayor urged, and you will know about every vote before the press does.",
    "(c) the review would serve the public interest.",
    "The deadline passed on 12 Dec 2024 18:00 GMT, officials said, without agreement.",
    "The launch window opens 2024-12-14T09:30Z and closes two hours later, officials said.",
    "这部影片（在上海拍摄）讲述了三代人的故事。",
    "这部影片讲述了三代人的故事（全片在上海拍摄）",
]


@pytest.mark.parametrize("sentence", REAL_SENTENCES)
def test_article_sentences_that_look_a_little_like_furniture_are_read(sentence: str) -> None:
    body = BODY + (f"<p><a href='/hall'>{sentence[:-1]}</a>.</p>" if sentence.startswith("Visit") else f"<p>{sentence}</p>")
    assert texts(body)[-1] == ("paragraph", sentence)


def test_a_dialogue_of_short_lines_is_not_a_key_value_box() -> None:
    body = BODY + "<p>张三：我们会继续努力。</p><p>李四：谢谢你。</p><p>张三：不客气。</p>"
    assert len(texts(body, "预算")) == 4


def test_a_links_text_stays_in_its_sentence() -> None:
    body = "<p>访问 <a href='https://wordpress.org/'>WordPress.org</a> 上的资源，了解更多插件。</p>" + ZH_BODY
    assert texts(body, "预算")[0] == ("paragraph", "访问 WordPress.org 上的资源，了解更多插件。")
    assert clean("访问 WordPress.org 上的资源", "zh-CN") == "访问WordPress.org上的资源"
    assert clean("TechCrunch.com reported it first.", "en-US") == "TechCrunch.com reported it first."
    assert clean("See example.org/a/b.html and photo_01.jpg now.", "en-US") == "See and now."


ROUNDUP = (
    "<p>Reactions poured in overnight.</p>"
    + "".join(
        f'<blockquote class="twitter-tweet"><p lang="en">{words} '
        f'<a href="https://t.co/x">pic.twitter.com/Ab{n}</a></p>&mdash; Person {n} (@person{n}) '
        f'<a href="https://twitter.com/x/status/{n}">December {n}, 2024</a></blockquote>'
        for n, words in enumerate(
            [
                "This launch changes how small teams ship software, and I am here for it.",
                "Tried it for a week: faster builds, fewer surprises, and the docs are honest.",
                "Pricing is the real story here; nobody else offers this tier for free.",
            ],
            start=1,
        )
    )
)


def test_a_roundup_of_quoted_posts_reads_the_posts_as_quotes_without_their_chrome() -> None:
    blocks = texts(ROUNDUP, "What people are saying")
    assert blocks == [
        ("paragraph", "Reactions poured in overnight."),
        ("quote", "This launch changes how small teams ship software, and I am here for it."),
        ("quote", "Tried it for a week: faster builds, fewer surprises, and the docs are honest."),
        ("quote", "Pricing is the real story here; nobody else offers this tier for free."),
    ]


def test_a_single_post_embedded_beside_a_story_stays_chrome() -> None:
    body = BODY * 3 + '<blockquote class="twitter-tweet"><p>So proud of our city!</p>&mdash; Fan (@fan)</blockquote>'
    assert "proud" not in spoken(body)


# --- every caption an aside ------------------------------------------------------------------------

CAPTIONS = {
    "figcaption": '<figure><img src="a.jpg"><figcaption>市长在记者会上发言。</figcaption></figure>',
    "short p in a wrapper": '<div class="pic"><img src="a.jpg"><p>市长在记者会上发言。</p></div>',
    "span after a linked image": '<p><a href="a.jpg"><img src="a.jpg"></a><br><span>市长在记者会上发言。</span></p>',
    "image title": '<img src="a.jpg" title="市长在记者会上发言。" alt="IMG_2231">',
}


@pytest.mark.parametrize("markup", sorted(CAPTIONS))
def test_every_caption_is_an_aside(markup: str) -> None:
    assert texts(CAPTIONS[markup] + ZH_BODY, "预算")[0] == ("figure", "市长在记者会上发言。")


def test_a_short_first_paragraph_after_a_lead_image_at_container_level_is_narration() -> None:
    body = '<div><img src="lead.jpg"><p>市长周一辞职。</p>' + ZH_BODY + "</div>"
    assert texts(body, "预算")[0] == ("paragraph", "市长周一辞职。")


@pytest.mark.parametrize("alt", ["screen_500 (1)", "Picture 9", "IMG_2231", "DSC0001", "9f86d081884c7d65", "(程皓楠摄).jpg"])
def test_file_name_alt_texts_are_never_read(alt: str) -> None:
    assert [kind for kind, _ in texts(f'<img src="a.jpg" alt="{alt}">' + BODY)] == ["paragraph"]


@pytest.mark.parametrize(
    ("caption", "read"),
    [
        ("示威者在广场集会（程皓楠摄）", "示威者在广场集会"),
        ("新机器人在展会上亮相。（厂商提供）", "新机器人在展会上亮相。"),
        ("会场外的抗议者。图/新华社", "会场外的抗议者。"),
        ("The new phone on display. Image credits: Apple", "The new phone on display."),
        ("Crowds at the square. Photo: Jane Doe/Reuters", "Crowds at the square."),
    ],
)
def test_photo_credits_are_taken_out_of_captions(caption: str, read: str) -> None:
    assert strip_photo_credit(caption) == read


# --- archive posts with front matter ---------------------------------------------------------------

FRONT = "---\ntitle: \"颱風過境 全台停班停課\"\ndate: 2001-01-01\nlink: https://news.example.tw/a/1\nsource: 中央社\n---\n"
POST_BODY = (
    '<img src="a.jpg"><div><small>強風吹倒路樹。</small></div>'
    "<p>（中央社記者王明台北1日電）颱風今天登陸，各縣市宣布停班停課。稿號1120801</p>"
    "<p>氣象局表示，2023年8月1日晚間風雨最大。</p>"
)


@pytest.mark.parametrize(
    "header",
    [FRONT, "<!--1690848000000-->\n" + FRONT + "[強風吹倒路樹。](https://mirror.example.io/a/1)\n------\n"],
    ids=["front matter alone", "front matter before the archive lines"],
)
def test_front_matter_gives_title_link_and_source(tmp_path: Path, header: str) -> None:
    post = tmp_path / "post.md"
    post.write_text(header + POST_BODY, encoding="utf-8")
    article = read_source(str(post))
    assert (article.title, article.link, article.source_name) == (
        "颱風過境 全台停班停課", "https://news.example.tw/a/1", "中央社"
    )
    assert article.blocks[0] == Block("figure", "強風吹倒路樹。", src="https://news.example.tw/a/a.jpg")


def test_a_front_matter_date_the_text_contradicts_by_years_is_not_believed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    post = tmp_path / "post.md"
    post.write_text(FRONT + POST_BODY, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        article = read_source(str(post))
    assert article.published.date().isoformat() == "2023-08-01"
    assert "contradicts" in caplog.text


def test_front_matter_after_the_archive_lines_and_a_markdown_body(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text(
        "[Caption](https://mirror.example.io/a/2)\n------\n"
        "---\ntitle: Storm closes schools\ndate: 2023-08-01T08:00:00+08:00\n---\n\n"
        "Storm closes schools\n\n![Trees down](b.jpg)\n\nSchools closed on **Tuesday** as the [storm](https://x.org) hit.\n",
        encoding="utf-8",
    )
    article = read_source(str(post))
    assert article.title == "Storm closes schools"
    assert article.published.isoformat() == "2023-08-01T08:00:00+08:00"
    assert [(block.kind, block.text) for block in article.blocks] == [
        ("figure", "Trees down"),
        ("paragraph", "Schools closed on Tuesday as the storm hit."),
    ]


@pytest.mark.parametrize("indicator", [">-", ">", "|", "|-"])
def test_a_block_scalar_title_is_joined_and_a_bad_link_falls_back_to_the_source_url(
    tmp_path: Path, indicator: str
) -> None:
    post = tmp_path / "post.md"
    post.write_text(
        f"---\ntitle: {indicator}\n  Storm closes\n  schools\ndate: 2023-08-01\nlink: javascript:alert(1)\n"
        "source: https://www.bbc.com/news/x\n---\n\nSchools closed on Tuesday as the storm hit the coast.\n",
        encoding="utf-8",
    )
    article = read_source(str(post))
    assert (article.title, article.link, article.source_name) == (
        "Storm closes schools", "https://www.bbc.com/news/x", "BBC"
    )


def test_a_markdown_body_keeps_the_paragraph_under_a_heading_and_drops_its_marks(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text(
        "---\ntitle: 北约外长会议举行\ndate: 2023-08-01\n---\n\n"
        "## 会议议程\n北约外长周二开会，讨论援助。\n会议持续两天。\n\n"
        "各国外长*一致*同意增加援助，全部赞成。详见[维基百科](https://zh.wikipedia.org/wiki/北约_(组织))。\n\n"
        "1. 第一点\n2) 第二点\n",
        encoding="utf-8",
    )
    assert [(block.kind, block.text) for block in read_source(str(post)).blocks] == [
        ("heading", "会议议程"),
        ("paragraph", "北约外长周二开会，讨论援助。 会议持续两天。"),
        ("paragraph", "各国外长一致同意增加援助，全部赞成。详见维基百科。"),
        ("list_item", "第一点"),
        ("list_item", "第二点"),
    ]


def test_an_undated_post_is_dated_when_read_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    post = tmp_path / "post.md"
    post.write_text("---\ntitle: Storm\n---\n<p>Schools closed on Tuesday as the storm hit.</p>", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        article = read_source(str(post))
    assert article.title == "Storm" and "no date" in caplog.text


# --- a feed of entries in all these shapes, read through feedparser and spoken ----------------------

FEED_READ = {
    "市议会通过明年预算": [
        ("figure", "12月11日，议员们在议会大厅投票。（程皓楠摄）"),
        ("paragraph", "市议会周四以多数票通过了明年的预算，其中教育支出增加一成。"),
        ("paragraph", "议长表示，预算将在明年一月生效。"),
    ],
    "Startup ships a faster build tool": [
        ("figure", "The new dashboard. Image credits: Example Inc."),
        ("paragraph", "A small startup shipped a build tool on Wednesday that it says is twice as fast, and the plugins "
                      "are listed at WordPress.org for anyone to try."),
        ("paragraph", "Follow the money, one investor said: the seed round closed in a week."),
    ],
    "What developers are saying": [
        ("paragraph", "Reactions poured in overnight."),
        ("quote", "Switched our monorepo over this morning and the cold build went from nine minutes to four."),
        ("quote", "The pricing page is the real news: the team tier is free for open source."),
    ],
}


def test_a_feed_of_real_shapes_is_read_as_a_newsreader_would() -> None:
    feed = parse_feed((DATA / "read" / "newsreader_feed.xml").read_bytes(), "https://archive.example.io/feed.xml")
    read_as = {item.article.title: [(b.kind, b.text) for b in item.article.blocks] for item in feed.items}
    assert read_as == FEED_READ
    asides = [
        segment.text
        for item in feed.items
        for segment in build_script(item.article, profile_for_language(item.article.language)).segments
        if segment.role == "aside"
    ]
    assert asides == ["图片说明：12月11日，议员们在议会大厅投票。", "Photo caption: The new dashboard."]


# --- counting ---------------------------------------------------------------------------------------


def test_each_removal_is_counted_under_its_rule_and_only_while_counting() -> None:
    body = BODY + FURNITURE["rfc stamp"] + FURNITURE["editor credits"] + '<img src="a.jpg" alt="IMG_2231">'
    with counting() as tally:
        read(body)
    assert dict(tally.fired) == {"timestamp": 1, "credit line": 1, "file-name alt": 1}
    assert tally.chars["timestamp"] == len("Thu, 12 Dec 2024 18:29:07 GMT")
    read(body)
    assert sum(tally.fired.values()) == 3


def test_a_body_whose_container_class_merely_ends_in_hidden_is_read() -> None:
    """Drupal puts ``field-label-hidden`` on the article body's own container; only whole hiding
    helpers (``hidden``, ``visually-hidden``, ``sr-only``) are chrome."""
    body = (
        '<div class="field field-name-body field-label-hidden"><p>The harbor reopened on Tuesday after a '
        'long closure, officials said.</p></div><span class="visually-hidden">Share on Facebook</span>'
    )
    article = article_from_entry(title="Harbor", link="https://example.org/a", published=None, body_html=body)
    assert [block.text for block in article.blocks] == [
        "The harbor reopened on Tuesday after a long closure, officials said."
    ]
