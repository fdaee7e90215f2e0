"""index.html: a static, accessible page for people who open the show's address in a browser.

Owns the page's markup: the show (cover, title, description, how to subscribe), then one
``<article>`` per episode with an ``<audio>`` player, its WebVTT captions as a ``<track>``, its
chapters as links that seek, and its transcript. Links are relative, so the folder can be served
from any address. Without JavaScript, a chapter link opens the MP3 at that time (a media fragment,
``#t=seconds``); with it, the in-page player seeks there instead.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from ..links import safe_link
from .show import FEED_FILE, Show, ShowEpisode, episode_anchor
from .timecodes import clock

# Interface words by language (BCP 47 prefix). Screen readers pronounce them in the page's lang.
_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "episodes": "Episodes",
        "chapters": "Chapters",
        "transcript": "Transcript",
        "captions": "Captions",
        "subscribe": "Subscribe: copy this address into your podcast app",
        "download": "Download MP3",
        "article": "Read the article",
        "no_audio": "Your browser cannot play this audio; download the MP3 instead.",
        "empty": "No episodes yet.",
    },
    "zh-CN": {
        "episodes": "节目",
        "chapters": "章节",
        "transcript": "文字稿",
        "captions": "字幕",
        "subscribe": "订阅：把这个地址复制到播客应用中",
        "download": "下载 MP3",
        "article": "阅读原文",
        "no_audio": "您的浏览器无法播放此音频，请下载 MP3。",
        "empty": "暂无节目。",
    },
    "zh-TW": {
        "episodes": "節目",
        "chapters": "章節",
        "transcript": "文字稿",
        "captions": "字幕",
        "subscribe": "訂閱：把這個網址複製到 Podcast 應用程式中",
        "download": "下載 MP3",
        "article": "閱讀原文",
        "no_audio": "您的瀏覽器無法播放此音訊，請下載 MP3。",
        "empty": "暫無節目。",
    },
}

_TRADITIONAL = {"zh-HK": "zh-TW", "zh-MO": "zh-TW", "zh-Hant": "zh-TW"}

_STYLE = """
body{font:1.05rem/1.6 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;color:#1b1b1b;background:#fff}
header{display:flex;gap:1rem;align-items:flex-start;flex-wrap:wrap}
header img{width:8rem;height:8rem}
audio{width:100%}
article{border-top:1px solid #bbb;margin-top:2rem}
a{color:#0b4f8a}
a:focus,audio:focus,summary:focus{outline:3px solid #d67b00;outline-offset:2px}
.meta{color:#444}
.transcript p{white-space:pre-line}
code{word-break:break-all}
"""

# Progressive enhancement: a chapter link seeks the player of its own episode.
_SCRIPT = """
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-start]");
  var audio = link && document.getElementById(link.dataset.player);
  if (!audio) { return; }
  event.preventDefault();
  audio.currentTime = parseFloat(link.dataset.start);
  audio.focus();
  var playing = audio.play();
  if (playing) { playing.catch(function () {}); }  // a refused autoplay still leaves the seek done
});
"""


def render_index(show: Show, episodes: Sequence[ShowEpisode]) -> str:
    """The whole page as a string; newest episode first."""
    words = _words(show.language)
    ordered = sorted(episodes, key=lambda ep: (ep.published, ep.guid), reverse=True)
    body = "\n".join(_episode(ep, words, show.language) for ep in ordered) or f"<p>{_e(words['empty'])}</p>"
    return f"""<!doctype html>
<html lang="{_e(show.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(show.title)}</title>
<link rel="alternate" type="application/rss+xml" title="{_e(show.title)}" href="{FEED_FILE}">
<link rel="icon" href="{_e(show.cover)}">
<style>{_STYLE}</style>
</head>
<body>
<header>
<img src="{_e(show.cover)}" alt="" width="256" height="256">
<div>
<h1>{_e(show.title)}</h1>
<p>{_e(show.description)}</p>
<p>{_e(words["subscribe"])}: <a href="{FEED_FILE}"><code>{_e(show.feed_url)}</code></a></p>
</div>
</header>
<main>
<h2>{_e(words["episodes"])}</h2>
{body}
</main>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def _episode(episode: ShowEpisode, words: dict[str, str], page_language: str) -> str:
    anchor = episode_anchor(episode.guid)
    player = f"audio-{episode.guid}"
    lang = "" if episode.language == page_language else f' lang="{_e(episode.language)}"'
    article = safe_link(episode.link)
    link = f' · <a href="{_e(article)}">{_e(words["article"])}</a>' if article else ""
    return f"""<article id="{_e(anchor)}" aria-labelledby="{_e(anchor)}-title"{lang}>
<h3 id="{_e(anchor)}-title">{_e(episode.title)}</h3>
<p class="meta"><time datetime="{episode.published.isoformat()}">{episode.published:%Y-%m-%d}</time>
 · {clock(episode.duration_ms)}{link}</p>
<audio id="{_e(player)}" controls preload="metadata" src="{_e(episode.audio)}">{_track(episode, words)}
<a href="{_e(episode.audio)}">{_e(words["no_audio"])}</a>
</audio>
<p><a href="{_e(episode.audio)}" download>{_e(words["download"])}</a></p>
{_chapters(episode, words, player)}{_transcript(episode, words)}</article>"""


def _track(episode: ShowEpisode, words: dict[str, str]) -> str:
    vtt = episode.sidecars.get("vtt")
    if not vtt:
        return ""
    return (
        f'\n<track kind="captions" src="{_e(vtt)}" srclang="{_e(episode.language)}"'
        f' label="{_e(words["captions"])}" default>'
    )


def _chapters(episode: ShowEpisode, words: dict[str, str], player: str) -> str:
    if not episode.chapters:
        return ""
    items = "\n".join(
        f'<li><a href="{_e(episode.audio)}#t={chapter.start_ms / 1000:.3f}" data-player="{_e(player)}"'
        f' data-start="{chapter.start_ms / 1000:.3f}">{clock(chapter.start_ms)} {_e(chapter.title)}</a></li>'
        for chapter in episode.chapters
    )
    return f"<h4>{_e(words['chapters'])}</h4>\n<ol>\n{items}\n</ol>\n"


def _transcript(episode: ShowEpisode, words: dict[str, str]) -> str:
    paragraphs = [part.strip() for part in episode.transcript.split("\n\n") if part.strip()]
    if not paragraphs:
        return ""
    text = "\n".join(f"<p>{_e(paragraph)}</p>" for paragraph in paragraphs)
    return f'<details class="transcript">\n<summary>{_e(words["transcript"])}</summary>\n{text}\n</details>\n'


def _words(language: str) -> dict[str, str]:
    """The interface words for a language, by exact tag, then its family, else English.

    >>> _words("zh-HK")["chapters"], _words("zh-SG")["chapters"], _words("de")["chapters"]
    ('章節', '章节', 'Chapters')
    """
    language = _TRADITIONAL.get(language, language)
    if language in _WORDS:
        return _WORDS[language]
    family = language.split("-")[0]
    return next((words for tag, words in _WORDS.items() if tag.split("-")[0] == family), _WORDS["en"])


def _e(text: str) -> str:
    return html.escape(text, quote=True)
