"""index.html: a static, accessible page for people who open the show's address in a browser.

Owns the page's markup: the show (cover, title, description, how to subscribe), then one
``<article>`` per episode with its picture when it has one (the caption as ``alt``), an ``<audio>``
player, its WebVTT captions as a ``<track>``, its chapters as links that seek, and its transcript.
Links are relative, so the folder can be served from any address. Without JavaScript, a chapter link
opens the MP3 at that time (a media fragment, ``#t=seconds``); with it, the in-page player seeks there.

Read-along: each sentence of the transcript is a ``<span data-start>`` with the time it is heard,
rendered here from the caption cues rather than built by the script from the ``<track>``: without
JavaScript the transcript is the same plain text (a screen reader reads it as prose), the times are
in the page for every browser, and the lining-up of cues and text is Python that tests can reach.
The script then makes each sentence a button (Tab, Enter or Space, or a click, plays from it),
marks the one being heard with ``aria-current`` (a highlight that is not colour alone), and keeps it
in view inside the transcript's own scrolling box, so the page itself never jumps; the scrolling is
smooth only under ``prefers-reduced-motion: no-preference``. Nothing is a live region: a screen
reader is never interrupted by the sentence changing. The transcript opens when its episode first
plays, and only the playing episode's transcript follows it.

Language and direction: ``<html lang dir>`` is the language of the page's own words (the show's
language when they exist in it, else English). The show's and each episode's text carry their own
``lang`` where it differs, and ``dir="rtl"`` for a right-to-left language (so an Arabic title is
laid out right to left next to English labels), else ``dir="auto"``: text in a script its language
tag does not predict (a mis-detected or mixed article) still takes the direction of its first
letters, not the page's.

Pages: no page lists more than ``PAGE_SIZE`` episodes. ``index.html`` lists the newest; the older
ones are on pages numbered from the oldest (``page-1.html`` holds the show's first ``PAGE_SIZE``
episodes, ``page-2.html`` the next, …; the newest of them may hold fewer). An episode therefore
stays on the same older page for good, and a new episode changes only ``index.html`` and the newest
older page (or starts a new one): the rest are left as they are, byte for byte. Each page carries a
stamp of what it was rendered from (``page_stamp``), so a build can tell an unchanged page without
reading its episodes' transcripts and captions again. Each page has a navigation landmark: links
``rel=prev`` (newer) and ``rel=next`` (older), the newest and oldest pages, and the page itself
marked ``aria-current="page"``; ``index.html`` lists every older page by the dates it spans.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..links import safe_link
from ..models import Cue
from .playlist import PLAYLIST_FILE
from .show import ART, FEED_FILE, INDEX_FILE, Show, ShowEpisode, episode_anchor, newest_first
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
a:focus,audio:focus,summary:focus,[data-start]:focus{outline:3px solid #b35f00;outline-offset:2px}
.meta{color:#444}
.transcript p{white-space:pre-line}
.follows{max-height:18em;overflow-y:auto;padding:.3rem .5rem}
.follows [data-start]{cursor:pointer}
[aria-current]{background:#fff0a0;text-decoration:underline .15em;text-underline-offset:.25em}
@media (prefers-reduced-motion:no-preference){.follows{scroll-behavior:smooth}}
code{word-break:break-all}
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem}
nav.pages{border-top:1px solid #bbb;margin-top:2rem}
"""

# Progressive enhancement: a chapter link or a transcript sentence plays its own episode from its
# start, and each transcript marks the sentence its player is at.
_SCRIPT = """
(function () {
  function playerOf(element) { return element.closest("article").querySelector("audio"); }
  function playFrom(element) {
    var audio = playerOf(element);
    audio.currentTime = parseFloat(element.dataset.start);
    var playing = audio.play();
    if (playing) { playing.catch(function () {}); }  // a refused autoplay still leaves the seek done
    return audio;
  }
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-start]");
    if (!target) { return; }
    if (target.tagName === "A") {
      event.preventDefault();
      playFrom(target).focus();
    } else if (getSelection().isCollapsed) {  // selecting words of the transcript is not a seek
      playFrom(target);
    }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if ((event.key === "Enter" || event.key === " ") && target.matches("span[data-start]")) {
      event.preventDefault();
      playFrom(target);
    }
  });
  // Marks the sentence the player is at; brings it into view when it changes, or when asked to reveal it.
  function follow(audio, reveal) {
    var box = audio.closest("article").querySelector(".follows");
    if (!box) { return; }
    var current = null;
    for (var sentence of box.querySelectorAll("[data-start]")) {
      if (parseFloat(sentence.dataset.start) > audio.currentTime) { break; }
      current = sentence;
    }
    var previous = box.querySelector("[aria-current]");
    if (previous === current && !reveal) { return; }  // the listener may have scrolled the box away
    if (previous) { previous.removeAttribute("aria-current"); }
    if (!current) { return; }
    current.setAttribute("aria-current", "true");
    var shown = box.getBoundingClientRect(), place = current.getBoundingClientRect();
    if (place.top < shown.top || place.bottom > shown.bottom) {
      box.scrollTop += place.top - shown.top - box.clientHeight / 3;
    }
  }
  for (var box of document.querySelectorAll(".sentences")) { box.classList.add("follows"); }
  for (var sentence of document.querySelectorAll(".follows [data-start]")) {
    sentence.tabIndex = 0;
    sentence.setAttribute("role", "button");
  }
  // Media events do not bubble: listen while they go down to the player.
  ["timeupdate", "seeked"].forEach(function (type) {
    document.addEventListener(type, function (event) { follow(event.target, false); }, true);
  });
  document.addEventListener("play", function (event) {
    var transcript = event.target.closest("article").querySelector("details.transcript");
    if (transcript && !transcript.dataset.opened) {
      transcript.dataset.opened = "true";  // once: a listener who closes it keeps it closed
      transcript.open = true;
    }
    follow(event.target, true);
  }, true);
})();
"""


PAGE_SIZE = 50
"""The most episodes one page of the site lists."""
_OLDER_PAGE = re.compile(r"page-[1-9][0-9]*\.html")
_STAMP = re.compile(rb"<!-- audiocast page ([0-9a-f]{64}) -->")
STAMP_BYTES = 200
"""How much of the start of a page holds its stamp (its second line)."""


@dataclass(frozen=True)
class Page:
    """One page of the site: its file (relative to the output folder) and its episodes, newest first."""

    file: str
    episodes: tuple[ShowEpisode, ...]


def older_page(number: int) -> str:
    """The file of the ``number``-th older page, counted from the oldest.

    >>> older_page(1), is_older_page("page-12.html"), is_older_page("page-0.html")
    ('page-1.html', True, False)
    """
    return f"page-{number}.html"


def is_older_page(name: str) -> bool:
    """Whether ``name`` is the file name of an older page (see ``older_page``)."""
    return _OLDER_PAGE.fullmatch(name) is not None


def site_pages(episodes: Sequence[ShowEpisode]) -> tuple[Page, ...]:
    """The site's pages, newest first: ``index.html`` with the newest ``PAGE_SIZE`` episodes, then the
    older pages, which are cut from the oldest episode on (see the module docstring).

    >>> import datetime as dt
    >>> day = lambda n: ShowEpisode(guid=str(n), title="t", link="", summary="", language="en",
    ...     published=dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=n), audio="a.mp3", length=1,
    ...     duration_ms=1)
    >>> [(page.file, len(page.episodes)) for page in site_pages([day(n) for n in range(2 * PAGE_SIZE + 3)])]
    [('index.html', 50), ('page-2.html', 3), ('page-1.html', 50)]
    """
    ordered = newest_first(episodes)
    oldest_first = ordered[PAGE_SIZE:][::-1]
    older = [
        Page(older_page(number), tuple(oldest_first[start : start + PAGE_SIZE][::-1]))
        for number, start in enumerate(range(0, len(oldest_first), PAGE_SIZE), start=1)
    ]
    return (Page(INDEX_FILE, tuple(ordered[:PAGE_SIZE])), *older[::-1])


def render_index(show: Show, episodes: Sequence[ShowEpisode]) -> str:
    """``index.html`` of a site of ``episodes``, newest first (the older pages: ``render_page``)."""
    return render_page(show, site_pages(episodes), 0)


def page_stamp(show: Show, pages: Sequence[Page], number: int, code: str) -> str:
    """A digest of what page ``number`` of ``pages`` is rendered from, taken without its episodes'
    transcripts and caption cues: the page's markup without them, and the names of the files they are
    read from, which are never rewritten with other content (an episode made again gets new names).
    ``code`` stands for the code that renders the transcript (the caller's hash of audiocast's code)."""
    bare = tuple(_without_transcript(episode) for episode in pages[number].episodes)
    markup = render_page(show, [*pages[:number], Page(pages[number].file, bare), *pages[number + 1 :]], number)
    digest = hashlib.sha256(f"{code}\x00{markup}".encode("utf-8", "surrogatepass"))
    for episode in bare:
        digest.update(repr(sorted(episode.sidecars.items())).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _without_transcript(episode: ShowEpisode) -> ShowEpisode:
    if not episode.transcript and not episode.cues:  # as the state holds it: no copy (its checks cost)
        return episode
    return dataclasses.replace(episode, transcript="", cues=())


def stamp_of(head: bytes) -> str | None:
    """The stamp a page's first bytes carry, if any.

    >>> stamp_of(b"<!doctype html>\\n<!-- audiocast page " + b"0" * 64 + b" -->") == "0" * 64
    True
    """
    found = _STAMP.search(head)
    return found[1].decode("ascii") if found else None


def render_page(show: Show, pages: Sequence[Page], number: int, stamp: str = "") -> str:
    """Page ``number`` of ``pages`` (see ``site_pages``) as a string, its episodes newest first; with
    ``stamp`` (``page_stamp``) written in a comment on its second line."""
    page = pages[number]
    words = interface_words(show.language)
    page_dir = direction(words.language)
    dir_attribute = ' dir="rtl"' if page_dir == "rtl" else ""
    show_text = _text_marks(show.language, words.language)
    body = "\n".join(_episode(ep, words) for ep in page.episodes) or f"<p>{_e(words['empty'])}</p>"
    span = f" {_span(page)}" if number else ""
    title = f"{_e(show.title)} · {_span(page, timed=False)}" if number else _e(show.title)
    stamp_line = f"<!-- audiocast page {stamp} -->\n" if stamp else ""
    return f"""<!doctype html>
{stamp_line}<html lang="{_e(words.language)}"{dir_attribute}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
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
<h2>{_e(words["episodes"])}{span}</h2>
{body}
</main>
{_navigation(pages, number, words)}<script>{_SCRIPT}</script>
</body>
</html>
"""


def _navigation(pages: Sequence[Page], number: int, words: InterfaceWords) -> str:
    """The pages' navigation landmark (none for a site of one page): on ``index.html`` itself, marked, and
    every older page by its dates; on an older page the newest, newer, older and oldest pages around it
    and itself, marked."""
    if len(pages) == 1:
        return ""
    if number == 0:
        items = [_page_link(pages[0], "", words["newest"], current=True)]
        items += [_page_link(page, "next" if position == 1 else "") for position, page in enumerate(pages) if position]
    else:
        around = [
            (pages[0], "", words["newest"]) if number > 1 else None,
            (pages[number - 1], "prev", words["newer"]),
            (pages[number], "", ""),
            (pages[number + 1], "next", words["older"]) if number + 1 < len(pages) else None,
            (pages[-1], "", words["oldest"]) if number + 2 < len(pages) else None,
        ]
        items = [
            _page_link(page, rel, label, current=page is pages[number]) for page, rel, label in filter(None, around)
        ]
    listed = "\n".join(f"<li>{item}</li>" for item in items)
    return f'<nav class="pages" aria-label="{_e(words["pages"])}">\n<ul>\n{listed}\n</ul>\n</nav>\n'


def _page_link(page: Page, rel: str, label: str = "", *, current: bool = False) -> str:
    """A link to ``page``, named by ``label`` or else by the dates it spans."""
    attributes = (f' rel="{rel}"' if rel else "") + (' aria-current="page"' if current else "")
    return f'<a href="{_e(page.file)}"{attributes}>{_e(label) if label else _span(page)}</a>'


def _span(page: Page, *, timed: bool = True) -> str:
    """The days of a page's oldest and newest episodes (one day when they are the same).

    >>> import datetime as dt
    >>> episode = ShowEpisode(guid="g", title="t", link="", summary="", language="en",
    ...     published=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), audio="a.mp3", length=1, duration_ms=1)
    >>> _span(Page("page-1.html", (dataclasses.replace(episode, published=dt.datetime(2024, 2, 1, tzinfo=dt.UTC)),
    ...     episode)), timed=False)
    '2024-01-01 – 2024-02-01'
    """
    days = dict.fromkeys(f"{episode.published:%Y-%m-%d}" for episode in (page.episodes[-1], page.episodes[0]))
    return " – ".join(f"<time>{day}</time>" if timed else day for day in days)


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
{_chapters(episode, words, text)}{_transcript(episode, words, text)}</article>"""


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


def _chapters(episode: ShowEpisode, words: InterfaceWords, text: str) -> str:
    if not episode.chapters:
        return ""
    items = "\n".join(
        f'<li><a href="{_e(episode.audio)}#t={_seconds(chapter.start_ms)}" data-start="{_seconds(chapter.start_ms)}">'
        f"{clock(chapter.start_ms)} {_e(chapter.title)}</a></li>"
        for chapter in episode.chapters
    )
    return f"<h4>{_e(words['chapters'])}</h4>\n<ol{text}>\n{items}\n</ol>\n"


def _transcript(episode: ShowEpisode, words: InterfaceWords, text: str) -> str:
    paragraphs = [part.strip() for part in episode.transcript.split("\n\n") if part.strip()]
    if not paragraphs:
        return ""
    timed = _timed(paragraphs, episode.cues)
    if timed is None:
        body, timing = "\n".join(f"<p>{_e(paragraph)}</p>" for paragraph in paragraphs), ""
    else:
        body, timing = "\n".join(f"<p>{_sentences(paragraph)}</p>" for paragraph in timed), ' class="sentences"'
    summary = f"<summary>{_e(words['transcript'])}</summary>"
    return f'<details class="transcript">\n{summary}\n<div{timing}{text}>\n{body}\n</div>\n</details>\n'


Timed = list[tuple[str, int | None]]
"""A paragraph as pieces of text, each with the time its sentence starts (None: the space between)."""


def _timed(paragraphs: Sequence[str], cues: Sequence[Cue]) -> list[Timed] | None:
    """The paragraphs cut into their caption cues' sentences, or None when the cues do not cover
    the text exactly (white space aside), in order: then the transcript is shown untimed.

    >>> cues = [Cue(0, 900, "Title."), Cue(900, 1500, "A <b> &"), Cue(1500, 2000, "→ c.")]
    >>> _timed(["Title.", "A <b>  & --> c."], cues)
    [[('Title.', 0)], [('A <b>  &', 900), (' ', None), ('--> c.', 1500)]]
    >>> _timed(["Title.", "Something else."], cues) is None
    True
    """
    remaining = iter(cues)
    timed = []
    for paragraph in paragraphs:
        pieces: Timed = []
        position = 0
        while paragraph[position:].strip():
            cue = next(remaining, None)
            found = _spoken_at(cue.text, paragraph, position) if cue else None
            if cue is None or found is None:
                return None
            start, end = found
            if start > position:
                pieces.append((paragraph[position:start], None))
            pieces.append((paragraph[start:end], cue.start_ms))
            position = end
        timed.append(pieces)
    return None if next(remaining, None) else timed


def _spoken_at(cue_text: str, paragraph: str, position: int) -> tuple[int, int] | None:
    """Where the cue's text is in ``paragraph`` from ``position`` on (after white space), as the
    transcript writes it: with any white space between its characters, and ``-->`` where the
    captions show ``→`` (WebVTT forbids ``-->`` in a cue); None when it is not there. A loop over
    the characters: a regular expression compiled per cue cost milliseconds per sentence.

    >>> _spoken_at("A b → c.", "  A  b --> c. More.", 0), _spoken_at("A c", "A b", 0)
    ((2, 13), None)
    """
    at = _after_space(paragraph, position)
    start = at
    for character in "".join(cue_text.split()):
        at = _after_space(paragraph, at)
        if paragraph.startswith(character, at):
            at += 1
        elif character == "→" and paragraph.startswith("-->", at):
            at += 3
        else:
            return None
    return start, at


def _after_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _sentences(pieces: Timed) -> str:
    return "".join(
        _e(text) if start is None else f'<span data-start="{_seconds(start)}">{_e(text)}</span>'
        for text, start in pieces
    )


def _seconds(ms: int) -> str:
    """A time as the player's ``currentTime`` takes it.

    >>> _seconds(61_500)
    '61.500'
    """
    return f"{ms / 1000:.3f}"


def _e(text: str) -> str:
    return html.escape(text, quote=True)
