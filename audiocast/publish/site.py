"""index.html: a static, accessible page for people who open the show's address in a browser.

Owns the page's markup: the show (cover, title, description, how to subscribe), then one
``<article>`` per episode with its picture when it has one (the caption as ``alt``), an ``<audio>``
player, its WebVTT captions as a ``<track>``, its chapters as links that seek, and its transcript.
Links are relative, so the folder can be served from any address. Without JavaScript, a chapter link
opens the MP3 at that time (a media fragment, ``#t=seconds``); with it, the in-page player seeks there.

Language and direction: ``<html lang dir>`` is the language of the page's own words (the show's
language when they exist in it, else English). The show's and each episode's text carry their own
``lang`` where it differs, and ``dir="rtl"`` for a right-to-left language (so an Arabic title is
laid out right to left next to English labels), else ``dir="auto"``: text in a script its language
tag does not predict (a mis-detected or mixed article) still takes the direction of its first
letters, not the page's.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from ..links import safe_link
from .playlist import PLAYLIST_FILE
from .show import ART, FEED_FILE, Show, ShowEpisode, episode_anchor, newest_first
from .timecodes import clock
from .words import InterfaceWords, direction, interface_words

_STYLE = """
body{font:1.05rem/1.6 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;color:#1b1b1b;background:#fff}
header{display:flex;gap:1rem;align-items:flex-start;flex-wrap:wrap}
header img{width:8rem;height:8rem}
.art{width:12rem;height:auto}
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
    words = interface_words(show.language)
    page_dir = direction(words.language)
    dir_attribute = ' dir="rtl"' if page_dir == "rtl" else ""
    show_text = _text_marks(show.language, words.language)
    ordered = newest_first(episodes)
    body = "\n".join(_episode(ep, words) for ep in ordered) or f"<p>{_e(words['empty'])}</p>"
    return f"""<!doctype html>
<html lang="{_e(words.language)}"{dir_attribute}>
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
<h1{show_text}>{_e(show.title)}</h1>
<p{show_text}>{_e(show.description)}</p>
<p>{_e(words["subscribe"])}: <a href="{FEED_FILE}"><code dir="ltr">{_e(show.feed_url)}</code></a></p>
<p><a href="{PLAYLIST_FILE}" type="audio/mpegurl">{_e(words["playlist"])}</a></p>
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


def _text_marks(language: str, page_language: str) -> str:
    """``lang`` and ``dir`` for an element of text in ``language`` on a page in ``page_language``.

    >>> _text_marks("ar-EG", "en"), _text_marks("ar-EG", "ar"), _text_marks("ar", "ar")
    (' lang="ar-EG" dir="rtl"', ' lang="ar-EG"', '')
    >>> _text_marks("de", "en"), _text_marks("en", "en"), _text_marks("en", "ar")
    (' lang="de" dir="auto"', ' dir="auto"', ' lang="en" dir="auto"')
    """
    lang = "" if language == page_language else f' lang="{_e(language)}"'
    if direction(language) == "ltr":
        return lang + ' dir="auto"'
    return lang + ("" if direction(page_language) == "rtl" else ' dir="rtl"')


def _episode(episode: ShowEpisode, words: InterfaceWords) -> str:
    anchor = episode_anchor(episode.guid)
    player = f"audio-{episode.guid}"
    text = _text_marks(episode.language, words.language)
    article = safe_link(episode.link)
    link = f' · <a href="{_e(article)}">{_e(words["article"])}</a>' if article else ""
    return f"""<article id="{_e(anchor)}" aria-labelledby="{_e(anchor)}-title">
<h3 id="{_e(anchor)}-title"{text}>{_e(episode.title)}</h3>
<p class="meta"><time datetime="{episode.published.isoformat()}">{episode.published:%Y-%m-%d}</time>
 · {clock(episode.duration_ms)}{link}</p>{_art(episode, text)}
<audio id="{_e(player)}" controls preload="metadata" src="{_e(episode.audio)}">{_track(episode, words)}
<a href="{_e(episode.audio)}">{_e(words["no_audio"])}</a>
</audio>
<p><a href="{_e(episode.audio)}" download>{_e(words["download"])}</a></p>
{_chapters(episode, words, player, text)}{_transcript(episode, words, text)}</article>"""


def _art(episode: ShowEpisode, text: str) -> str:
    art = episode.sidecars.get(ART)
    if not art:
        return ""
    return f'\n<img class="art" src="{_e(art)}" alt="{_e(episode.art_alt)}"{text} width="400" height="400">'


def _track(episode: ShowEpisode, words: InterfaceWords) -> str:
    vtt = episode.sidecars.get("vtt")
    if not vtt:
        return ""
    return (
        f'\n<track kind="captions" src="{_e(vtt)}" srclang="{_e(episode.language)}"'
        f' label="{_e(words["captions"])}" default>'
    )


def _chapters(episode: ShowEpisode, words: InterfaceWords, player: str, text: str) -> str:
    if not episode.chapters:
        return ""
    items = "\n".join(
        f'<li><a href="{_e(episode.audio)}#t={chapter.start_ms / 1000:.3f}" data-player="{_e(player)}"'
        f' data-start="{chapter.start_ms / 1000:.3f}">{clock(chapter.start_ms)} {_e(chapter.title)}</a></li>'
        for chapter in episode.chapters
    )
    return f"<h4>{_e(words['chapters'])}</h4>\n<ol{text}>\n{items}\n</ol>\n"


def _transcript(episode: ShowEpisode, words: InterfaceWords, text: str) -> str:
    paragraphs = [part.strip() for part in episode.transcript.split("\n\n") if part.strip()]
    if not paragraphs:
        return ""
    body = "\n".join(f"<p>{_e(paragraph)}</p>" for paragraph in paragraphs)
    summary = f"<summary>{_e(words['transcript'])}</summary>"
    return f'<details class="transcript">\n{summary}\n<div{text}>\n{body}\n</div>\n</details>\n'


def _e(text: str) -> str:
    return html.escape(text, quote=True)
