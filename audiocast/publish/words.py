"""The published pages' own words (index.html's labels, the feed's link text) and writing direction.

A language without its own words gets English ones; ``InterfaceWords.language`` says which
language they are in, so a page can mark its own text apart from the show's and the episodes'.
Direction comes from CLDR (Babel): Arabic, Hebrew, Persian, Urdu and the other right-to-left
languages are ``rtl``, everything else (and any tag CLDR does not know) ``ltr``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from babel import Locale, UnknownLocaleError

Direction = Literal["ltr", "rtl"]

# Interface words by language (BCP 47). Screen readers pronounce them in the page's lang.
_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "episodes": "Episodes",
        "chapters": "Chapters",
        "transcript": "Transcript",
        "captions": "Captions",
        "subscribe": "Subscribe: copy this address into your podcast app",
        "playlist": "Playlist for local players (M3U): the feed's episodes, newest first",
        "download": "Download MP3",
        "article": "Read the article",
        "no_audio": "Your browser cannot play this audio; download the MP3 instead.",
        "empty": "No episodes yet.",
        "pages": "Pages",
        "newer": "Newer episodes",
        "older": "Older episodes",
        "newest": "Newest episodes",
        "oldest": "Oldest episodes",
    },
    "zh-CN": {
        "episodes": "节目",
        "chapters": "章节",
        "transcript": "文字稿",
        "captions": "字幕",
        "subscribe": "订阅：把这个地址复制到播客应用中",
        "playlist": "本地播放器的播放列表（M3U）：订阅源中的节目，最新的在前",
        "download": "下载 MP3",
        "article": "阅读原文",
        "no_audio": "您的浏览器无法播放此音频，请下载 MP3。",
        "empty": "暂无节目。",
        "pages": "分页",
        "newer": "较新的节目",
        "older": "较早的节目",
        "newest": "最新节目",
        "oldest": "最早的节目",
    },
    "zh-TW": {
        "episodes": "節目",
        "chapters": "章節",
        "transcript": "文字稿",
        "captions": "字幕",
        "subscribe": "訂閱：把這個網址複製到 Podcast 應用程式中",
        "playlist": "本機播放器的播放清單（M3U）：訂閱源中的節目，最新的在前",
        "download": "下載 MP3",
        "article": "閱讀原文",
        "no_audio": "您的瀏覽器無法播放此音訊，請下載 MP3。",
        "empty": "暫無節目。",
        "pages": "分頁",
        "newer": "較新的節目",
        "older": "較早的節目",
        "newest": "最新節目",
        "oldest": "最早的節目",
    },
    "ar": {
        "episodes": "الحلقات",
        "chapters": "الفصول",
        "transcript": "النص الكامل",
        "captions": "الترجمة",
        "subscribe": "اشترك: انسخ هذا العنوان إلى تطبيق البودكاست",
        "playlist": "قائمة تشغيل للمشغلات المحلية (M3U): حلقات الخلاصة، الأحدث أولاً",
        "download": "تنزيل MP3",
        "article": "اقرأ المقال",
        "no_audio": "لا يستطيع متصفحك تشغيل هذا الصوت؛ نزّل ملف MP3 بدلًا من ذلك.",
        "empty": "لا توجد حلقات بعد.",
        "pages": "الصفحات",
        "newer": "حلقات أحدث",
        "older": "حلقات أقدم",
        "newest": "أحدث الحلقات",
        "oldest": "أقدم الحلقات",
    },
    "he": {
        "episodes": "פרקים",
        "chapters": "מקטעים",
        "transcript": "תמליל",
        "captions": "כתוביות",
        "subscribe": "הרשמה: העתיקו את הכתובת הזו לאפליקציית הפודקאסטים",
        "playlist": "רשימת השמעה לנגנים מקומיים (M3U): פרקי הפיד, החדשים קודם",
        "download": "הורדת MP3",
        "article": "לקריאת הכתבה",
        "no_audio": "הדפדפן שלך לא יכול לנגן את השמע הזה; אפשר להוריד את קובץ ה-MP3.",
        "empty": "אין עדיין פרקים.",
        "pages": "עמודים",
        "newer": "פרקים חדשים יותר",
        "older": "פרקים ישנים יותר",
        "newest": "הפרקים החדשים ביותר",
        "oldest": "הפרקים הראשונים",
    },
}

_TRADITIONAL = {"zh-HK": "zh-TW", "zh-MO": "zh-TW", "zh-Hant": "zh-TW"}


@dataclass(frozen=True)
class InterfaceWords:
    language: str
    """The language the words are in: the one asked for, or ``en`` when it has none of its own."""
    words: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.words[key]


def interface_words(language: str) -> InterfaceWords:
    """The interface words for a language, by exact tag, then its family, else English.

    >>> [interface_words(tag)["chapters"] for tag in ("zh-HK", "zh-SG", "ar-EG")]
    ['章節', '章节', 'الفصول']
    >>> interface_words("de-DE").language, interface_words("zh-HK").language
    ('en', 'zh-HK')
    """
    tag = _TRADITIONAL.get(language, language)
    found = tag if tag in _WORDS else next((known for known in _WORDS if same_family(known, tag)), None)
    if found is None:
        return InterfaceWords("en", _WORDS["en"])
    return InterfaceWords(language, _WORDS[found])


def same_family(first: str, second: str) -> bool:
    """Whether two tags name the same language (``zh-TW`` and ``zh-CN`` do; region and script aside)."""
    return first.split("-")[0].lower() == second.split("-")[0].lower()


@functools.cache
def direction(language: str) -> Direction:
    """The writing direction of ``language`` (a BCP 47 tag), from CLDR.

    >>> direction("ar-EG"), direction("he"), direction("fa"), direction("zh-TW"), direction("not a tag")
    ('rtl', 'rtl', 'rtl', 'ltr', 'ltr')
    """
    try:
        order = Locale.parse(language, sep="-").character_order
    except (ValueError, TypeError, UnknownLocaleError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"
