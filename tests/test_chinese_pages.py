"""Real Chinese news pages: the headline without the site's name, the date, the body and nothing else.

The pages under data/pages/zh are copies of pages from six sites (see the README there for where
each comes from and what was trimmed). Each case names where the body starts and ends as a person
reads the page, and the page furniture around it that must not be read: navigation, breadcrumbs,
source and editor credits, previous/next links, related stories and the portal's footer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from audiocast.models import Article
from audiocast.sources import read_source
from audiocast.sources.extract import main_blocks
from audiocast.sources.furniture import PAGE_FURNITURE
from audiocast.sources.page import parse_page
from audiocast.sources.page_meta import page_title

from .conftest import DATA

PAGES = DATA / "pages" / "zh"


@dataclass(frozen=True)
class Page:
    name: str
    title: str
    published: dt.datetime
    first: str
    """How the first body paragraph starts."""
    last: str
    """How the last body paragraph ends."""
    furniture: tuple[str, ...]
    """Text on the page around the article that must not be read."""


def utc(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


CASES = (
    Page(
        "xinhuanet_strike",
        "法国全国大罢工再次严重影响交通",  # <title> ends "-新华网"
        utc(2019, 12, 10, 7, 57, 40),  # "2019-12-10 07:57:40 来源：新华网" under the headline
        "新华社巴黎12月9日电（记者唐霁）法国9日再次爆发全国跨行业大罢工",
        "总理菲利普将于11日宣布退休制度改革的总体架构。",
        ("关注新华网", "图集", "责任编辑", "尹世杰", "新闻评论", "加载更多", "热帖", "坑熟客", "热词", "联系我们", "下一篇"),
    ),
    Page(
        "people_zhengbanqiao",
        "女儿出嫁，郑板桥画了几笔兰花当嫁妆",  # <title> ends "--文化--人民网"
        utc(2019, 6, 15, 8, 18),  # <meta name="publishdate" content="2019-06-15">, "2019年06月15日08:18" shown
        "父亲的教诲像一盏灯，为我们照亮前行的路",
        "他与普通父亲并没有差别，字里行间都是对儿子的爱。",
        ("点击进入", "责编", "汤诗瑶", "推荐阅读", "致敬改革开放四十年", "文脉颂中华", "【详细】", "相关新闻", "版权"),
    ),
    Page(
        "zsnews_dongqu",
        "顺德区大良街道党工委委员潘卓辉一行到众创金融街开展调研工作",  # <title> adds " 东区办事处_中山网"
        utc(2019, 3, 6, 12),  # "发布日期：2019-03-06" after the body: a day, read at noon UTC
        "2019年2月27日下午，佛山顺德区大良街道党工委委员",
        "为中山经济发展提供创新驱动力。",
        ("现在位置", "首页", "来源于", "东区办事处", "发布日期", "责任编辑", "龙慧", "打印本页", "关闭窗口"),
    ),
    Page(
        "cjddsb_finance",
        "常德市金融系统积极开展“金融知识普及月 金融知识进万家”活动",  # <title> ends "--当代商报"
        utc(2019, 9, 23, 14, 34, 5),  # "发布日期：2019-09-23 14:34:05"
        "为持续推动金融消费者教育和金融知识普及工作",
        "让金融的发展更好地满足人民日益增长的美好生活需要。",  # "(文/图 刘玺东 易赛楠)" is the byline
        ("刘玺东", "上一篇", "下一篇", "第二中学", "版权声明", "转载请注明", "留言与评论", "热门文章", "发布日期"),
    ),
    Page(
        "shanxi_gov_silkroad",
        "山西品牌丝路行（南美站）正式启动",  # <h1> is the logo; <title> ends " - 山西省人民政府门户网站"
        utc(2019, 9, 18, 6, 23),  # <meta name="PubDate" content="2019-09-18 06:23">
        "跨越千山万水，行程近两万公里",
        "南美站活动将先后在巴西、乌拉圭、阿根廷举行。（张巨峰）",  # the reporter, as the paper prints it
        ("山西省人民政府网站", "热门搜索", "来源", "字体", "扫一扫", "关于我们", "网站声明", "联系我们", "晋ICP备"),
    ),
    Page(
        "njxfhn_fraud",
        "[诗婷露雅化妆品]江门七旬阿婆接来电称其涉黑被骗上百万！冒充公检法电诈团伙被端",  # "-富达传媒"
        utc(2019, 9, 11, 2, 46, 57),  # JSON-LD "pubDate" (Baidu's), "2019年09月11日" shown
        "冒充银行经理来电骗事主称其有巨额信用卡欠款",
        "拿不准时可拨打110求证。",
        ("原标题", "采写", "作者", "返回富达", "责任编辑", "香港警方", "港铁公司", "南方都市报", "相关文章", "最近发表"),
    ),
)


@pytest.fixture(params=CASES, ids=[case.name for case in CASES])
def case(request: pytest.FixtureRequest) -> Page:
    page: Page = request.param
    return page


@pytest.fixture
def article(case: Page) -> Article:
    return read_source(str(PAGES / f"{case.name}.html"))


def body(article: Article) -> list[str]:
    return [block.text for block in article.blocks if block.kind == "paragraph"]


def test_title_is_the_headline_without_the_site(case: Page, article: Article) -> None:
    assert article.title == case.title


def test_publication_time(case: Page, article: Article) -> None:
    assert article.published == case.published and article.dated


def test_body_starts_and_ends_with_the_article(case: Page, article: Article) -> None:
    paragraphs = body(article)
    assert paragraphs[0].startswith(case.first), paragraphs[0]
    assert paragraphs[-1].endswith(case.last), paragraphs[-1]


def test_no_page_furniture_is_read(case: Page, article: Article) -> None:
    read = " ".join(block.text for block in article.blocks)
    assert [text for text in case.furniture if text in read] == []


def test_unmarked_photo_caption_is_read_once_as_an_aside() -> None:
    article = read_source(str(PAGES / "shanxi_gov_silkroad.html"))
    figure = article.blocks[0]
    assert figure.kind == "figure" and figure.text.startswith("图为山西品牌丝路行（南美站）启动仪式。")
    assert figure.src.endswith("W020190918234243033577.jpg")
    assert not any(block.text.startswith("图为") for block in article.blocks[1:])


def test_editor_credit_above_the_article_ends_nothing() -> None:
    """The credit ends the article only when it comes after most of it: moved up under the headline
    (as some sites print it), everything after it is still read."""
    page = (PAGES / "people_zhengbanqiao.html").read_text(encoding="utf-8")
    credit = '<div class="edit clearfix">(责编：汤诗瑶、丁涛)</div>'
    assert credit in page
    page = page.replace(credit, "").replace('<div class="box01">', credit + '<div class="box01">')
    texts = [block.text for block in main_blocks(parse_page(page))]  # not the fallback reader's
    assert any(text.startswith("父亲的教诲像一盏灯") for text in texts)
    assert any(text.endswith("字里行间都是对儿子的爱。") for text in texts)


def test_logo_heading_is_not_the_headline() -> None:
    """Without its ArticleTitle <meta>, the page's only <h1> is its logo (a link to "/"): the
    headline comes from <title>, without " - 山西省人民政府门户网站"."""
    page = (PAGES / "shanxi_gov_silkroad.html").read_text(encoding="utf-8")
    article_title = '<meta name="ArticleTitle" content="山西品牌丝路行（南美站）正式启动">'
    assert article_title in page
    assert page_title(parse_page(page.replace(article_title, ""))) == "山西品牌丝路行（南美站）正式启动"


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("（责编：汤诗瑶、丁涛）", True),
        ("责任编辑：尹世杰", True),
        ("编辑：你怎么看这个问题？", False),  # an interview's question: read, and it ends nothing
    ],
)
def test_editor_credit_is_names_not_a_sentence(line: str, credit: bool) -> None:
    assert bool(PAGE_FURNITURE.search(line)) is credit
