"""Text that is page furniture, not article: the named rules that drop a line or trim a piece of one.

Every rule is a pattern of form and position (a whole short line of credits, a machine time stamp,
a box of ``Key: value`` lines), in Chinese and English, never a site's name. Rules are tables of
``(name, pattern)`` so that each removal is counted under its name (see ``audiocast.tally``) and a
rule that starts eating article text shows up in ``bench/bench_rules.py``.
"""

from __future__ import annotations

import re

from ..tally import removed

_ISO_STAMP = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
_RFC_STAMP = (
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+)?\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+"
    r"\d{4}\s+\d{2}:\d{2}(?::\d{2})?\s*(?:GMT|UTC|[+-]\d{4})"
)
_STAMP = rf"(?:{_ISO_STAMP}|{_RFC_STAMP})"
_SITE_NAME = (
    r"(?!(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\d)"
    r"[^\s.!?。！？]+(?:\.[^\s.!?。！？]+)*(?:\s+[^\s.!?。！？]+(?:\.[^\s.!?。！？]+)*){0,5}"
)
"""The site a "The post … appeared first on" footer names: a few words ending the line, not a day or a date."""

_CREDIT_KEY = (
    r"(?:责任编辑|責任編輯|责编|責編|网编|網編|编辑|編輯|编译|編譯|译者|譯者|翻译|翻譯|视觉|視覺|版式|校对|校對|"
    r"审核|審核|审校|審校|美编|美編|排版|监制|監製|统筹|統籌|策划|策劃|摄影|攝影|撰文|采写|採寫|文字|图片|圖片|实习生|實習生)"
)
_NAMES = r"[^\s:：，,、。！？!?；;]{1,12}(?:[\s、,，]+[^\s:：，,、。！？!?；;]{1,12}){0,5}"
_CREDIT = rf"{_CREDIT_KEY}\s*[:：|丨/]\s*{_NAMES}"
_PHOTOGRAPHER = r"(?!在|于|於)[^（）()，,。、:：\s拍]{2,12}"
"""Who took a photo, in ``（新华社记者李明摄）``: a short name, not a place or an act (``（在上海拍摄）``)."""
PHOTO_CAPTION = re.compile(
    rf"^\s*(?:图为|圖為|图：|圖：|上图|上圖|下图|下圖|左图|左圖|右图|右圖)|[（(]\s*{_PHOTOGRAPHER}\s*(?:摄|攝)\s*[)）]\s*$"
)
"""A Chinese photo caption by its form, when the page does not mark it: it opens "图为…" or ends
with who took the photo, "（新华社记者李明摄）"."""
_BYLINE_KEY = r"(?:记者|記者|作者|来源|來源|出处|出處|撰稿|整理|口述|文|图|圖)"
"""Keys that make a credit only as a line of their own: "（来源：国家统计局）" after a figure is a citation."""
_BYLINE = rf"{_BYLINE_KEY}\s*[:：|丨/]\s*{_NAMES}"

_PAGE_DATE_TIME = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
_EDITOR = r"^\s*[（(]?\s*(?:责任编辑|責任編輯|责编|責編|编辑|編輯)\s*[:：][^）)。！？!?，,；;]{0,30}[）)]?\s*$"
EDITOR_CREDIT = re.compile(_EDITOR)
"""The editor's credit that closes a Chinese news article: ``责任编辑：王明``, ``（责编：汤诗瑶、丁涛）``;
names, not a sentence (an interview's ``编辑：你怎么看？`` is a question)."""
PAGE_FURNITURE = re.compile(
    rf"^\s*(?:(?:{_PAGE_DATE_TIME})\s*)?(?:来源于?|來源於?|作者|发布时间|發佈時間|发布日期)\s*[:：]"
    rf"|{_EDITOR}"
    rf"|^\s*(?:{_PAGE_DATE_TIME})\s*$"
    rf"|^\s*上一篇\s*[:：].*下一篇"
    r"|^\s*(?:您?(?:现在|当前|所在)的?位置|您的位置|(?:現在|當前|所在)位置)\s*[:：]"
    r"|^\s*(?:【[^【】]{1,8}】\s*)+$"
    r"|^\s*(?:图集|圖集|组图|組圖|高清组图|高清組圖)\s*$"
    r"|^\s*(?:read more|read also|also read|see also|see more|more on this|don['’]t miss|recommended|you may also like|"
    r"相关阅读|相關閱讀|推荐阅读|推薦閱讀|延伸阅读|延伸閱讀)\b\s*(?:[:：]|$)",
    re.IGNORECASE,
)
"""Applied to web pages only (``extract``), beside ``LINE_RULES``: lines of a news portal's page
furniture: the source/author line under the title, the editor's credit, a bare time stamp,
previous/next links, the "现在位置：首页 >> …" breadcrumb, a row of bracketed page tools
("【打印本页】【关闭窗口】"), a gallery label ("图集"), and "Read more:" / "相关阅读" pointers to
other stories."""

LINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("copyright", re.compile(
        r"^\s*(?:©|\(c\)\s*(?:\d{4}|(?-i:[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.,'’-]*){0,5})\.?\s*$)|"
        r"copyright\s*(?:©|\(c\)|\d{4})|all rights reserved|版权所有|版權所有|"
        r"(?:版权|版權)(?:声明|聲明|说明|說明)\s*[:：])",
        re.IGNORECASE,
    )),
    ("feed footer", re.compile(
        r"^\s*(?:(?:获取|獲取|get\s+)?(?:更多|more)\s*\S{0,12}\s*(?:rss|feeds?|订阅|訂閱|推送)\s*[:：]?\s*(?:https?://\S*)?\W*$|"
        r"(?:subscribe|订阅|訂閱)\b.{0,40}(?:rss|feed|newsletter|频道|頻道).{0,40}$|"
        rf"the post\s.{{1,300}}\sappeared first on\s+{_SITE_NAME}\W*$|"
        r"(?:原文链接|原文鏈接|原文网址|原文網址|本文链接|本文鏈接)\s*[:：]|"
        r"(?:continue reading|阅读全文|閱讀全文|查看原文|点击阅读原文|點擊閱讀原文)\W{0,12}$)",
        re.IGNORECASE,
    )),
    ("timestamp", re.compile(rf"^\s*\S{{0,24}}(?:\s+\S{{1,24}}){{0,2}}\s*{_STAMP}\s*$")),
    ("credit line", re.compile(
        rf"^\s*[（(【\[]?\s*(?:{_CREDIT}|{_BYLINE})(?:\s*[|｜/、;；]?\s*(?:{_CREDIT}|{_BYLINE})){{0,8}}\s*[)）】\]]?\s*$|"
        r"^\s*by\s+(?-i:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}){0,4})\s*$|"
        r"^\s*(?:image|photo|picture|featured image|header image|top image)s?\s+credits?\s*[:：]|"
        r"^\s*\(?(?:additional\s+)?(?:reporting|writing|editing)\s+by\s+[^.!?]{1,120}[.)]?\s*$",
        re.IGNORECASE,
    )),
    ("metadata box", re.compile(r"^\s*(?:档案卡|檔案卡|资料卡|資料卡)\s*[:：]?\s*$")),
    ("contact e-mail", re.compile(
        r"^\s*[^。.!?！？]{0,30}?[\w.+-]+@[\w-]+(?:\.[\w-]+)+[\s。.]*(?:[^\s。.!?！？]{0,12})\s*$"
    )),
    ("follow", re.compile(
        r"^\s*follow\b.{0,60}?(?:@\w{1,30}|\bon\s+(?:twitter|x|facebook|instagram|threads|mastodon|bluesky|"
        r"linkedin|youtube|tiktok))\W*$|"
        r"^\s*(?:关注|關注|追踪|追蹤)(?:我们|我們)?.{0,20}(?:微博|微信|公众号|公眾號|facebook|twitter|@\w+)\W*$|"
        r"^\s*(?:关注|關注)[^\s，,。！？!?]{1,12}(?:网|網|号|號|客户端|客戶端)\s*$",
        re.IGNORECASE,
    )),
    ("social chrome", re.compile(
        r"Reply\s*Retweet\s*Favou?rite|"
        r"^\s*(?:\d+|an?)\s+(?:seconds?|minutes?|hours?|days?)\s+ago\s+via\s+[\w .-]{1,40}$|"
        r"^\s*[—–-]\s*[^()]{1,60}\(@\w{1,15}\)\s*(?:\w+\s+\d{1,2},\s+\d{4})?\s*$",
        re.IGNORECASE,
    )),
)
"""Whole lines that are furniture. Each pattern must cover the line: a sentence that merely
mentions an editor, copyright, an e-mail address or a date is article text."""

RELATED_HEADING = re.compile(
    r"^\s*(?:延伸阅读|延伸閱讀|相关阅读|相關閱讀|推荐阅读|推薦閱讀|更多阅读|更多閱讀|"
    r"(?:相关|相關)\s*(?:文章|新闻|新聞|报道|報導)|related(?:\s+(?:articles?|stories|coverage|reading))?|"
    r"read\s+more|see\s+also|more\s+on\s+this(?:\s+story)?)\s*(?:[:：]|$)",
    re.IGNORECASE,
)
"""The heading of a related-reading list; it and the links after it are not read."""

_METADATA_KEY = re.compile(
    r"(?:标题|標題|作者|发表日期|發表日期|发布日期|發布日期|发布时间|發布時間|日期|来源|來源|出处|出處|"
    r"版权说明|版權說明|原文链接|原文鏈接|原文网址|原文網址|title|author|published|date|source|copyright)\s*[:：]",
    re.IGNORECASE,
)

_KEY_VALUE = re.compile(
    r"^[^\s:：,，。!?！？][^:：,，。!?！？]{0,20}[:：](?:\s*[^。!?！？]{0,40}(?:[^。.!?！？\s]|\b[A-Z][a-z]{1,3}\.))?\s*$"
)
"""A short ``Key: value`` line of a fact box: ``Launch Date: July 9, 1998``, ``Website:``, ``成立：1998年``;
it ends without a sentence's full stop (an abbreviation such as ``Inc.`` may end it)."""

_CARD_KEY = re.compile(
    r"^\s*(?:company|website|web site|homepage|founded|founders?|launch(?:ed)?(?: date)?|headquarters|ipo|"
    r"funding|total funding|employees|industry|ceo|ticker|stock|valuation|investors?|"
    r"公司|官网|官網|网站|網站|成立|成立时间|成立時間|总部|總部|创始人|創辦人|創始人|融资|融資|上市|员工|員工|估值)\s*[:：]",
    re.IGNORECASE,
)
"""Keys of an entity card (a company or product box beside an article)."""

INLINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("timestamp", re.compile(rf"^\s*{_STAMP}\s*|\s*{_STAMP}\s*$")),
    ("credit line", re.compile(
        rf"\s*[（(]\s*(?:{_CREDIT}|{_PHOTOGRAPHER}\s*(?:摄|攝))\s*[)）]"
        r"|\s*[（(]\s*[^（）()，,。:：]{1,16}(?:提供|供图|供圖)\s*[)）]\s*$"
        rf"|\s*[（(]\s*[文图圖]\s*[/／]\s*[文图圖]\s*[:：]?\s*{_NAMES}\s*[)）]\s*$"
    )),
    ("social chrome", re.compile(r"\s*\bpic\.twitter\.com/\w+")),
)
"""Pieces cut out of a line that stays: a stamp opening or closing it, a ``（张三摄）``, a
``（责任编辑：李四）``, a closing ``(文/图 刘玺东 易赛楠)``, a ``pic.twitter.com`` address."""
_MAY_HOLD_PIECE = re.compile(r"[（()）]|\d:\d\d|pic\.twitter")
"""What every ``INLINE_RULES`` piece holds (a bracket, a time of day, a tweet's image address): a
line without any is returned as it is, without running the rules, which are slow on long lines."""


def furniture_rule(text: str, lines: list[str]) -> str | None:
    """The name of the rule by which a block's text is furniture, or None when it is article text.

    ``lines`` are the block's lines (split at single line breaks) for boxes of ``Key: value`` lines.

    >>> furniture_rule("责编：王明 视觉：李华", []), furniture_rule("他说，编辑：这是一个问题。", [])
    ('credit line', None)
    >>> furniture_rule("null方子齊2024-12-12T15:07:50.371Z", []), furniture_rule("Follow the money.", [])
    ('timestamp', None)
    """
    for name, pattern in LINE_RULES:
        if pattern.search(text):
            return name
    if len(_METADATA_KEY.findall(text)) >= 3 and len(text) < 400:
        return "metadata box"
    return "key-value box" if is_fact_box([line.strip() for line in lines if line.strip()]) else None


def is_key_value(text: str) -> bool:
    """Whether a one-line block is a short ``Key: value`` line (three in a row may make a fact box)."""
    return bool(_KEY_VALUE.match(text))


def is_fact_box(lines: list[str]) -> bool:
    """Whether lines are a widget's box of facts: three or more ``Key: value`` lines, one of them with
    its value gone (a link or logo that was the value) or two with an entity card's keys. A price
    list or a schedule (``VIP: 60,000₩``, ``Stage 1: 10 March – Interlagos``) is article text.

    >>> is_fact_box(["Company: Google", "Website:", "Launch Date: July 9, 1998", "IPO: NASDAQ:GOOG"])
    True
    >>> is_fact_box(["VIP: 60,000₩", "R: 50,000₩", "S: 40,000₩"])
    False
    """
    if len(lines) < 3 or not all(_KEY_VALUE.match(line) for line in lines):
        return False
    empty = any(re.match(r"^[^:：]+[:：]\s*$", line) for line in lines)
    return empty or sum(bool(_CARD_KEY.match(line)) for line in lines) >= 2


def trim(text: str) -> str:
    """``text`` without the inline furniture pieces, each counted under its rule.

    >>> trim("会场外的抗议者（程皓楠摄）")
    '会场外的抗议者'
    >>> trim("（本文参考了路透社的报道。）"), trim("共建清朗网络空间。(文/图 刘玺东 易赛楠)")
    ('（本文参考了路透社的报道。）', '共建清朗网络空间。')
    """
    if not _MAY_HOLD_PIECE.search(text):
        return text.strip()
    for name, pattern in INLINE_RULES:
        for match in pattern.finditer(text):
            removed(name, match.group())
        text = pattern.sub("", text)
    return text.strip()
