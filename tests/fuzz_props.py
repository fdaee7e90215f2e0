"""Hostile-input properties: the strategies and checks that tests/test_fuzz.py runs a few of and
bench/fuzz_nightly.py runs many of (one definition, imported by both).

Every property has one rule: audiocast either refuses the input with one of its own errors (an
``AudiocastError`` whose message is one line), or what it wrote parses and is safe: feed.xml in
feedparser (no bozo) and podcastparser, index.html in an HTML5 parser with only our own elements,
no script URL and no event attribute, captions with well-formed, ordered cues, ID3 tags that read
back. Inputs are arbitrary Unicode (C0/C1 controls, noncharacters, lone surrogates where the input
is ``str``, bidi overrides, combining marks, RTL text, long runs) and nested or broken markup.

``KNOWN_BUGS`` names the properties that fail today because of bugs of issue 11 being fixed
elsewhere, with the exception each one raises, so the suite marks them and the nightly run tells
known failures from new ones.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import tempfile
import xml.sax.saxutils
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import feedparser
import html5lib
import podcastparser
from hypothesis import strategies as st
from lxml import etree

from audiocast.atomic import write_bytes, write_text
from audiocast.audio import mix
from audiocast.errors import AudiocastError
from audiocast.feedbuild.sources import read_items
from audiocast.language import detect_language
from audiocast.models import Article, Block, Boundary, Chapter, Clip, Script, Timeline
from audiocast.profiles import profile_for_language
from audiocast.publish.captions import display_cues, to_srt, to_vtt
from audiocast.publish.chapters import to_chapters_json
from audiocast.publish.feed import render_feed
from audiocast.publish.show import Show, ShowEpisode
from audiocast.publish.site import render_index
from audiocast.publish.tags import EpisodeTags, write_tags
from audiocast.script import DEFAULT_MAX_SEGMENT_BYTES, build_script
from audiocast.script.sentences import request_bytes
from audiocast.sources.feed import FeedRead

from .conftest import read_id3

T = TypeVar("T")

REFUSED, WRITTEN = "refused", "written"
"""What a check reports for an example: audiocast refused it with its own error, or its outputs passed."""

# ---------------------------------------------------------------------------------------------
# Inputs

ODD_CHARACTERS = (
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1b[2J", "\x7f", "\x85", "\x9b", "\x9f",
    "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff", "\ufeff", "\ufffd",
    "\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c",
    "\u200b", "\u200d", "\u2028", "\u2029", "\u0301", "\u0489", "e\u0301\u0302\u0303\u0304",
    "\r", "\n", "\r\n", "\n\n", "\t", "\u00a0", "\u3000",
)  # fmt: skip
"""Controls, noncharacters, bidi overrides, zero-width and combining marks, line and paragraph separators."""

SURROGATES = ("\ud800", "\udfff", "\udc80")
"""Lone surrogates: only where the input is a ``str`` (a file cannot hold them as UTF-8)."""

WORDS = (
    "Blinken", "NATO", "Mr.", "e.g.", "6.3", "2023", "news", "美国国务卿", "布林肯", "北约", "。", "，", "！", "？",
    "……", "——", "“", "”", "（美联社照片）", "(AP Photo)", "WASHINGTON —", "مرحبا بالعالم", "שלום", "Ἀθῆναι",
    "한국어", "かな", "🎉", "👍🏽", "https://x.org/a", "www.example.com", " ", ". ", ", ",
)  # fmt: skip
"""Ordinary text in the languages and punctuation audiocast reads, and things it removes."""

MARKUP = (
    "<p>", "</p>", "<div>", "</div>", "<b>", "<strong>", "</strong>", "<i>", "<em>", "<br>", "<br/><br/>",
    "<small>", "</small>", "<figure>", "<figcaption>", "<h1>", "<h2>", "<li>", "<ul>", "<blockquote>",
    "<table><tr><td>", "<article>", "<script>alert(1)</script>", "<style>p{}</style>", "<noscript>x",
    '<img src="x" onerror="alert(1)">', '<img src="javascript:alert(1)" alt="photo of NATO">',
    '<a href="javascript:alert(1)" onclick="alert(2)">click</a>', "<svg onload=alert(1)>", "<math><mi>x",
    '<iframe src="javascript:alert(1)">', '<div hidden>secret</div>', '<p style="display:none">x</p>',
    "<![CDATA[", "]]>", "<!--", "-->", "<?xml version='1.0'?>", "<!DOCTYPE x [<!ENTITY e 'boom'>]>", "&e;",
    "&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&amp;nbsp;", "&#0;", "&#x1b;", "&#xD800;", "&#xFFFE;",
    "&#x10FFFF;", "&#99999999;", "&bogus;", "&", "<", ">", '"', "'", "`", "<p", "</", "<a href=",
)  # fmt: skip
"""Nested, broken and hostile markup, entities and CDATA."""

HOSTILE_LINKS = (
    "javascript:alert(document.domain)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "\x01javascript:alert(1)",
    "&#106;avascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
    "file:///etc/passwd", "mailto:a@example.org", "//evil.example/x", "relative/story.html", "", " ",
    'https://example.org/"onmouseover="alert(1)', "https://example.org/a?b=1&c=<d>", "http://[bad",
    "https://zh.example.org/新闻/2023/北约.html", "https://example.org/\x00\x1b", "HTTPS://EXAMPLE.ORG/A",
)  # fmt: skip
"""Links a hostile feed or a careless archive carries: script URLs, odd schemes, IRIs, broken ones."""

SAFE_LINKS = (
    "https://www.voachinese.com/a/7372382.html", "http://example.org/a/b.html?x=1&y=2#top",
    "https://zh.example.org/新闻/2023/北约.html", "https://example.org/caf%C3%A9", "",
)  # fmt: skip
"""Links that must be published, including an IRI (non-ASCII path) and no link at all."""

RUN_UNITS = ("a", "字", "a ", "word ", "word, ", "\u0301", "\u202e", "\x00", "<", "&amp;", "—", " ")
"""What a long run repeats: one letter (a word with no space), CJK with no punctuation, words, marks."""


def long_runs(longest: int) -> st.SearchStrategy[str]:
    """One unit repeated up to ``longest`` characters: cheap to make, hard on anything super-linear."""
    return st.builds(
        lambda unit, length: unit * max(1, length // len(unit)), st.sampled_from(RUN_UNITS), st.integers(1, longest)
    )


def nesting(deepest: int) -> st.SearchStrategy[str]:
    """Text inside ``depth`` unclosed or closed elements."""
    return st.builds(
        lambda tag, depth, closed: f"<{tag}>" * depth + "deep text." + (f"</{tag}>" * depth if closed else ""),
        st.sampled_from(["div", "p", "b", "blockquote", "li", "i"]),
        st.integers(1, deepest),
        st.booleans(),
    )


def hostile_text(longest: int, *, surrogates: bool = False, markup: bool = True) -> st.SearchStrategy[str]:
    """Arbitrary Unicode mixed with odd characters, real words and markup, and at most one long run."""
    odd = ODD_CHARACTERS + SURROGATES if surrogates else ODD_CHARACTERS
    pieces = [
        st.text(alphabet=st.characters(categories=["Cs"]) | st.characters(codec="utf-8") if surrogates else st.characters(),
                max_size=12),
        st.text(alphabet=st.characters(categories=["Cc", "Cf", "Co", "Cn", "Zl", "Zp", "M"]), max_size=6),
        st.sampled_from(odd),
        st.sampled_from(WORDS),
        st.sampled_from(WORDS),
    ]
    if markup:
        pieces += [st.sampled_from(MARKUP), st.sampled_from(MARKUP), nesting(min(longest, 3000))]
    short = st.lists(st.one_of(pieces), max_size=12)
    return st.builds(
        lambda parts, run, where: "".join([*parts[:where], run, *parts[where:]]),
        short,
        st.one_of(st.just(""), long_runs(longest)),
        st.integers(0, 12),
    )


def non_blank(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``text``, with a word added when it is blank (titles and blocks are never blank)."""
    return text.map(lambda value: value if value.strip() else value + "News")


def links(*, hostile: bool) -> st.SearchStrategy[str]:
    choices = HOSTILE_LINKS + SAFE_LINKS if hostile else SAFE_LINKS
    made = st.builds(lambda path: "https://example.org/" + path, st.text(max_size=20))
    return st.one_of(st.sampled_from(choices), made) if hostile else st.sampled_from(choices)


# ---------------------------------------------------------------------------------------------
# The rule every property shares


def assert_one_line(error: AudiocastError) -> None:
    message = str(error)
    assert message.strip(), f"{type(error).__name__} with an empty message"
    assert len(message.splitlines()) == 1, f"{type(error).__name__} message is not one line: {message!r}"


def attempt(make: Callable[[], T]) -> T | None:
    """``make()``, or None when audiocast refuses with its own error (whose message must be one line)."""
    try:
        return make()
    except AudiocastError as error:
        assert_one_line(error)
        return None


class UnsafeURL(AssertionError):
    """A URL that is not http(s) was written where a reader or listener can follow it."""


def url_scheme(value: str) -> str:
    """The scheme a browser sees (WHATWG URL parsing: outer controls and spaces, inner tabs and newlines go).

    >>> url_scheme(" \\x01java\\tscript:alert(1)"), url_scheme("a/b.html"), url_scheme("HTTPS://x")
    ('javascript', '', 'https')
    """
    stripped = re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(0x21)))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", stripped)
    return match.group(1).lower() if match else ""


def assert_safe_url(value: str, where: str, *, relative: bool) -> None:
    allowed = {"http", "https", ""} if relative else {"http", "https"}
    if url_scheme(value) not in allowed:
        raise UnsafeURL(f"{where}: {value!r}")


# ---------------------------------------------------------------------------------------------
# Reader: archive files, HTML pages, plain text and RSS/Atom entries, through the feed source reader


def read_document(document: tuple[str, str]) -> FeedRead | None:
    """Read one (suffix, text) file as a feed build does, or None when refused."""
    suffix, text = document
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        return attempt(lambda: read_items(str(path), timeout=1.0))


def check_reader(document: tuple[str, str]) -> str:
    """Every article a file yields is whole and one-line titled; every skip message is one line."""
    read = read_document(document)
    if read is None:
        return REFUSED
    for line in read.skipped:
        assert len(line.splitlines()) == 1, f"skip message is not one line: {line!r}"
    for item in read.items:
        assert_article(item.article)
    return WRITTEN if read.items else REFUSED


def assert_article(article: Article) -> None:
    assert article.title.strip() and len(article.title.splitlines()) == 1, f"title {article.title[:200]!r}"
    assert article.blocks, "an article with no blocks"
    assert article.published.tzinfo is not None


XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def check_reader_cleans(document: tuple[str, str]) -> str:
    """Text is clean at the door: no field of a read article holds XML-forbidden or bidi control characters."""
    read = read_document(document)
    for item in read.items if read else ():
        article = item.article
        fields = {"title": article.title, "link": article.link, "author": article.author}
        fields.update({f"block {number}": block.text for number, block in enumerate(article.blocks)})
        for name, value in fields.items():
            assert not XML_FORBIDDEN.search(value) and not BIDI_CONTROLS.search(value), f"{name}: {value[:200]!r}"
    return WRITTEN if read and read.items else REFUSED


def archive_documents(longest: int) -> st.SearchStrategy[tuple[str, str]]:
    """``.md`` files in the archive format, with hostile title, link, date line and body."""
    text = hostile_text(longest)
    stamp = st.sampled_from(["<!--1701121143000-->\n", "<!--99999999999999-->\n", "<!--0000000000-->\n", ""])
    date = st.one_of(
        st.just("<div><i>Mon, 27 Nov 2023 21:07:35 GMT</i></div>"),
        st.builds(lambda value: f"<div><i>{value}</i></div>", text),
        st.just(""),
    )
    return st.builds(
        lambda stamp, title, link, date, body: (".md", f"{stamp}[{title}]({link})\n------\n\n{date}{body}\n"),
        stamp,
        text,
        links(hostile=True),
        date,
        text,
    )


def page_documents(longest: int) -> st.SearchStrategy[tuple[str, str]]:
    """``.html`` pages with hostile ``<title>``, meta fields, headings and article body."""
    text = hostile_text(longest)
    return st.builds(
        lambda title, meta, link, date, body: (
            ".html",
            f"<!doctype html><html><head><title>{title}</title>"
            f'<meta property="og:title" content="{html.escape(meta)}">'
            f'<meta property="og:url" content="{html.escape(link)}">'
            f'<meta property="article:published_time" content="{html.escape(date)}"></head>'
            f"<body><nav>menu</nav><article><h1>{title}</h1>{body}</article></body></html>",
        ),
        text,
        text,
        links(hostile=True),
        st.one_of(st.just("2023-11-27T21:07:35Z"), text),
        text,
    )


def text_documents(longest: int) -> st.SearchStrategy[tuple[str, str]]:
    """``.txt`` articles: a title line, a blank line, hostile paragraphs (markup too, read as text)."""
    return st.builds(
        lambda title, paragraphs: (".txt", title + "\n\n" + "\n\n".join(paragraphs)),
        hostile_text(longest),
        st.lists(hostile_text(longest), min_size=1, max_size=4),
    )


def _xml_text(value: str, how: str) -> str:
    """``value`` in an XML document: escaped, in CDATA (``]]>`` split as feeds do), or raw."""
    if how == "escaped":
        return xml.sax.saxutils.escape(value)
    if how == "cdata":
        return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    return value


def feed_documents(longest: int) -> st.SearchStrategy[tuple[str, str]]:
    """RSS 2.0 or Atom files with hostile entries: title, link, date, author and HTML content."""
    text = hostile_text(longest)
    how = st.sampled_from(["escaped", "cdata", "raw"])
    entry = st.fixed_dictionaries(
        {
            "title": st.tuples(text, how),
            "link": links(hostile=True),
            "date": st.sampled_from(["Mon, 27 Nov 2023 21:07:35 GMT", "2023-11-27T21:07:35Z", "yesterday", "", "0"]),
            "author": text,
            "body": st.tuples(text, how),
        }
    )
    return st.builds(_feed_document, st.sampled_from(["rss", "atom"]), st.lists(entry, min_size=1, max_size=3))


def _feed_document(kind: str, entries: list[dict[str, Any]]) -> tuple[str, str]:
    items = []
    for entry in entries:
        title, body = _xml_text(*entry["title"]), _xml_text(*entry["body"])
        link, author = xml.sax.saxutils.quoteattr(entry["link"]), _xml_text(entry["author"], "escaped")
        if kind == "rss":
            items.append(
                f"<item><title>{title}</title><link>{xml.sax.saxutils.escape(entry['link'])}</link>"
                f"<pubDate>{entry['date']}</pubDate><author>{author}</author>"
                f"<content:encoded>{body}</content:encoded></item>"
            )
        else:
            items.append(
                f"<entry><title type='html'>{title}</title><link href={link}/><id>urn:x:{len(items)}</id>"
                f"<updated>{entry['date']}</updated><author><name>{author}</name></author>"
                f"<content type='html'>{body}</content></entry>"
            )
    if kind == "rss":
        return ".xml", (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>F</title>'
            f"{''.join(items)}</channel></rss>\n"
        )
    return ".xml", (
        f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>'
        f"{''.join(items)}</feed>\n"
    )


# ---------------------------------------------------------------------------------------------
# Script and captions: articles assembled from hostile parts, timed by synthetic clips


@dataclass(frozen=True)
class ArticleParts:
    title: str
    link: str
    author: str
    source: str
    blocks: tuple[tuple[str, str], ...]
    """(kind, text) pairs."""


def article_parts(longest: int) -> st.SearchStrategy[ArticleParts]:
    text = hostile_text(longest, surrogates=True)
    kinds = st.sampled_from(["paragraph", "paragraph", "heading", "figure", "quote", "list_item"])
    return st.builds(
        ArticleParts,
        title=text,
        link=links(hostile=True),
        author=text,
        source=st.sampled_from(["", "VOA", "美国之音"]),
        blocks=st.lists(st.tuples(kinds, non_blank(text)), min_size=1, max_size=5).map(tuple),
    )


def _article(parts: ArticleParts) -> Article:
    """An Article straight from the parts, so the script meets what the readers might let through
    (the readers' own assembly, ``make_article``, is fuzzed by the reader properties)."""
    blocks = tuple(Block(kind, text, src="https://example.org/i.jpg" if kind == "figure" else "")  # type: ignore[arg-type]
                   for kind, text in parts.blocks)
    title = parts.title if parts.title.strip() else "News"
    return Article(
        id="fuzz", title=title, link=parts.link, published=dt.datetime(2023, 11, 27, tzinfo=dt.UTC),
        source_name=parts.source, language=detect_language(title + " ".join(text for _, text in parts.blocks)),
        blocks=blocks, author=parts.author,
    )  # fmt: skip


def _script(parts: ArticleParts) -> Script | None:
    try:
        article = _article(parts)
    except ValueError:  # Article refuses a link that is not http(s): no reader can hand one on
        return None
    return attempt(lambda: build_script(article, profile_for_language(article.language)))


def check_script(parts: ArticleParts) -> str:
    """Every segment of the script is speakable, fits one request, and covers its own sentences."""
    script = _script(parts)
    if script is None:
        return REFUSED
    for segment in script.segments:
        assert segment.text.strip() and not re.search("[\r\n]", segment.text), f"segment {segment.text[:80]!r}"
        if segment.role != "title":
            assert request_bytes(segment.text) <= DEFAULT_MAX_SEGMENT_BYTES, f"{segment.role} over the request size"
    return WRITTEN


def check_script_title(parts: ArticleParts) -> str:
    """The title, too, fits one synthesis request (a 10,000-character title must be cut)."""
    script = _script(parts)
    if script is None:
        return REFUSED
    for segment in script.segments:
        assert request_bytes(segment.text) <= DEFAULT_MAX_SEGMENT_BYTES, f"{segment.role} over the request size"
    return WRITTEN


@dataclass(frozen=True)
class Timed:
    parts: ArticleParts
    ms_per_character: int
    word_boundaries: bool
    """Time cues from edge-style word boundaries, or spread them (espeak gives none)."""


def timed_articles(longest: int) -> st.SearchStrategy[Timed]:
    return st.builds(Timed, article_parts(longest), st.integers(20, 200), st.booleans())


_SAMPLE_RATE = 1000  # one sample a millisecond: silent PCM, exact timings, little memory


def _clip(text: str, ms_per_character: int, word_boundaries: bool) -> Clip:
    duration = max(1, len(text)) * ms_per_character
    boundaries: list[Boundary] = []
    if word_boundaries:
        words = text.split()
        for number, word in enumerate(words):
            start = duration * number // len(words)
            boundaries.append(Boundary(start, duration * (number + 1) // len(words) - start, word))
    return Clip(b"\x00\x00" * duration, "pcm_s16le", _SAMPLE_RATE, tuple(boundaries))


def timeline_of(script: Script, ms_per_character: int, word_boundaries: bool) -> Timeline:
    clips = [_clip(segment.text, ms_per_character, word_boundaries) for segment in script.segments]
    return mix(script, clips).timeline


def check_captions(timed: Timed) -> str:
    """WebVTT and SRT files whose cues are well formed, in order, inside the episode, one block each."""
    script = _script(timed.parts)
    if script is None:
        return REFUSED
    timeline = timeline_of(script, timed.ms_per_character, timed.word_boundaries)
    cues = len(display_cues(timeline, script.language))
    with tempfile.TemporaryDirectory() as folder:
        vtt, srt = Path(folder) / "e.vtt", Path(folder) / "e.srt"
        write_text(vtt, to_vtt(timeline, script.language))
        write_text(srt, to_srt(timeline, script.language))
        assert_cue_file(vtt.read_bytes().decode("utf-8"), "vtt", timeline.duration_ms, cues)
        assert_cue_file(srt.read_bytes().decode("utf-8"), "srt", timeline.duration_ms, cues)
    chapters = json.loads(to_chapters_json(timeline, script.article.title))["chapters"]
    starts = [chapter["startTime"] for chapter in chapters]
    assert starts == sorted(starts) and starts[0] == 0, f"chapter starts {starts}"
    return WRITTEN


_TIME = {"vtt": r"(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})", "srt": r"(\d{2,}):([0-5]\d):([0-5]\d),(\d{3})"}


def _ms(match: Sequence[str]) -> int:
    hours, minutes, seconds, millis = (int(part) for part in match)
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def assert_cue_file(text: str, kind: str, duration_ms: int, expected: int) -> None:
    """Parse a caption file as players do (CR, LF and CRLF end lines; a blank line ends a cue)."""
    lines = re.split(r"\r\n|\r|\n", text)
    if kind == "vtt":
        assert lines[0] == "WEBVTT" and lines[1].startswith("Language: ") and lines[2] == "", f"header {lines[:3]}"
        lines = lines[3:]
    blocks = [block.strip("\n").split("\n") for block in "\n".join(lines).split("\n\n") if block.strip("\n")]
    assert len(blocks) == expected, f"{kind}: {len(blocks)} cue blocks for {expected} cues (a blank line inside one?)"
    timing = re.compile(rf"^{_TIME[kind]} --> {_TIME[kind]}$")
    previous_end = 0
    for number, block in enumerate(blocks, start=1):
        if kind == "srt":
            assert block[0] == str(number), f"srt cue {number} numbered {block[0]!r}"
            block = block[1:]
        match = timing.match(block[0])
        assert match, f"{kind} cue {number}: timing line {block[0]!r}"
        start, end = _ms(match.groups()[:4]), _ms(match.groups()[4:])
        assert previous_end <= start < end <= duration_ms, f"{kind} cue {number}: {block[0]} after {previous_end}"
        previous_end = end
        text_lines = block[1:]
        assert 1 <= len(text_lines) <= 2, f"{kind} cue {number}: {len(text_lines)} text lines"
        for line in text_lines:
            assert line.strip() and "-->" not in line, f"{kind} cue {number}: text line {line!r}"


# ---------------------------------------------------------------------------------------------
# Publishing: feed.xml, index.html and ID3 tags from hostile episode fields


@dataclass(frozen=True)
class Published:
    """A show's (title, description, author) and each episode's fields, from hostile text."""

    show_fields: tuple[str, str, str]
    episode_fields: tuple[tuple[Any, ...], ...]

    def build(self) -> tuple[Show, tuple[ShowEpisode, ...]] | None:
        """The values to publish, or None when the value objects refuse them (a link that is not http(s),
        text with control characters): what they refuse can never reach a writer."""
        title, description, author = self.show_fields
        try:
            show = replace(Show.example(), title=title, description=description, author=author)
            return show, tuple(_episode(number, *fields) for number, fields in enumerate(self.episode_fields))
        except ValueError:
            return None


def _episode(number: int, title: str, link: str, summary: str, author: str, language: str,
             chapter_titles: list[str], transcript: str) -> ShowEpisode:
    chapters = tuple(Chapter(name, index * 10_000, (index + 1) * 10_000) for index, name in enumerate(chapter_titles))
    return ShowEpisode(
        guid=f"00000000-0000-5000-8000-{number:012d}", title=title, link=link, summary=summary, author=author,
        language=language, published=dt.datetime(2023, 11, 27, tzinfo=dt.UTC) + dt.timedelta(days=number),
        audio=f"episodes/2023-11-27-episode-{number}.mp3", length=1000 + number, duration_ms=len(chapters) * 10_000 + 1,
        chapters=chapters, sidecars={"vtt": f"episodes/e{number}.vtt", "srt": f"episodes/e{number}.srt",
                                     "chapters": f"episodes/e{number}.chapters.json"},
        transcript=transcript,
    )  # fmt: skip


def published(longest: int, *, hostile_links: bool, hostile_text_: bool) -> st.SearchStrategy[Published]:
    text = hostile_text(longest, surrogates=True) if hostile_text_ else st.sampled_from(WORDS)
    episode = st.tuples(
        non_blank(text),
        links(hostile=hostile_links),
        text,
        text,
        st.sampled_from(["en-US", "zh-CN", "zh-TW", "ar", "he"]),
        st.lists(non_blank(text), max_size=3),
        text,
    )
    show = st.tuples(non_blank(text), non_blank(text), non_blank(text))
    return st.builds(Published, show, st.lists(episode, min_size=1, max_size=3).map(tuple))


def _written(published: Published, name: str) -> bytes | None:
    """feed.xml or index.html written as a build writes it and read back, or None when refused."""
    values = published.build()
    if values is None:
        return None
    show, episodes = values
    render = {
        "feed.xml": lambda: render_feed(show, episodes),
        "index.html": lambda: render_index(show, episodes).encode("utf-8", "surrogatepass"),
    }[name]
    data = attempt(render)
    if data is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        write_bytes(Path(folder) / name, data)
        return (Path(folder) / name).read_bytes()


def check_feed(show: Published) -> str:
    """feed.xml parses in feedparser without bozo and in podcastparser, with every episode in it."""
    data = _written(show, "feed.xml")
    if data is None:
        return REFUSED
    parsed = feedparser.parse(data)
    assert not parsed.bozo, f"feedparser: {parsed.get('bozo_exception')!r}"
    assert len(parsed.entries) == len(show.episode_fields)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "feed.xml").write_bytes(data)
        with (Path(folder) / "feed.xml").open("rb") as stream:
            podcast = podcastparser.parse(Show.example().feed_url, stream)
    assert len(podcast["episodes"]) == len(show.episode_fields), "podcastparser lost episodes"
    return WRITTEN


def check_feed_links(show: Published) -> str:
    """Every URL in feed.xml (links, enclosures, and links inside the show notes) is http(s)."""
    data = _written(show, "feed.xml")
    if data is None:
        return REFUSED
    channel = etree.fromstring(data).find("channel")
    assert channel is not None
    for element in channel.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name == "link" and element.text:
            assert_safe_url(element.text, "feed <link>", relative=False)
        for attribute in ("href", "url"):
            if attribute in element.attrib:
                assert_safe_url(element.attrib[attribute], f"feed <{name} {attribute}>", relative=False)
        if name in {"description", "encoded"} and element.text:
            for href in _fragment_urls(element.text):
                assert_safe_url(href, f"feed <{name}> link", relative=False)
    return WRITTEN


def _fragment_urls(markup: str) -> list[str]:
    fragment = html5lib.parseFragment(markup, treebuilder="etree", namespaceHTMLElements=False)
    return [value for element in fragment.iter() for key, value in element.attrib.items() if key in _URL_ATTRIBUTES]


_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "data", "cite", "background"})
INDEX_ELEMENTS = frozenset({
    "html", "head", "meta", "title", "link", "style", "body", "header", "img", "div", "h1", "p", "a", "code",
    "main", "h2", "article", "h3", "time", "audio", "track", "h4", "ol", "li", "details", "summary", "script",
})  # fmt: skip
"""Every element index.html is made of: anything else came from the input."""


def check_index(show: Published) -> str:
    """index.html parses as HTML5 into only our own elements: one script, one article per episode."""
    data = _written(show, "index.html")
    if data is None:
        return REFUSED
    document = html5lib.parse(data.decode("utf-8", "surrogatepass"), treebuilder="etree", namespaceHTMLElements=False)
    tags = [element.tag for element in document.iter() if isinstance(element.tag, str)]
    assert set(tags) <= INDEX_ELEMENTS, f"elements from the input: {set(tags) - INDEX_ELEMENTS}"
    assert tags.count("script") == 1, f"{tags.count('script')} script elements"
    assert tags.count("article") == len(show.episode_fields), f"{tags.count('article')} articles"
    for element in document.iter():
        events = [key for key in element.attrib if str(key).lower().startswith("on")]
        assert not events, f"<{element.tag}> has event attributes {events}"
    return WRITTEN


def check_index_links(show: Published) -> str:
    """Every URL in index.html is relative or http(s)."""
    data = _written(show, "index.html")
    if data is None:
        return REFUSED
    document = html5lib.parse(data.decode("utf-8", "surrogatepass"), treebuilder="etree", namespaceHTMLElements=False)
    for element in document.iter():
        for key, value in element.attrib.items():
            if key in _URL_ATTRIBUTES:
                assert_safe_url(value, f"index.html <{element.tag} {key}>", relative=True)
    return WRITTEN


@dataclass(frozen=True)
class Tagged:
    title: str
    link: str
    summary: str
    transcript: str


def tagged(longest: int) -> st.SearchStrategy[Tagged]:
    text = hostile_text(longest)
    return st.builds(Tagged, non_blank(text), links(hostile=False), text, text)


def check_tags(tags: Tagged) -> str:
    """ID3 tags with any title and any http(s) link (IRIs included) are written and read back."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "e.mp3"
        path.write_bytes(b"")
        write_tags(path, EpisodeTags(
            title=tags.title, artist="A", album="B", date=dt.datetime(2023, 11, 27, tzinfo=dt.UTC), language="zh-CN",
            summary=tags.summary, link=tags.link, transcript=tags.transcript, cover_jpeg=b"\xff\xd8\xff\xd9", chapters=(),
        ))  # fmt: skip
        frames = read_id3(path)
    assert frames.getall("TIT2"), "no title frame"
    assert bool(frames.getall("WOAS")) == bool(tags.link), "link frame missing"
    return WRITTEN


# ---------------------------------------------------------------------------------------------
# The catalogue


@dataclass(frozen=True, repr=False)
class Property:
    name: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any], str]

    def __repr__(self) -> str:
        return self.name


def properties(longest: int) -> tuple[Property, ...]:
    """Every property, with long runs of up to ``longest`` characters in its inputs."""
    archive, page, plain, feed = (
        archive_documents(longest), page_documents(longest), text_documents(longest), feed_documents(longest)
    )
    readers = st.one_of(archive, page, plain, feed)
    return (
        Property("archive_reader", archive, check_reader),
        Property("page_reader", page, check_reader),
        Property("text_reader", plain, check_reader),
        Property("feed_entries_reader", feed, check_reader),
        Property("reader_cleans_text", readers, check_reader_cleans),
        Property("script", article_parts(longest), check_script),
        Property("script_title_bounded", article_parts(longest), check_script_title),
        Property("captions", timed_articles(longest), check_captions),
        Property("feed_xml", published(longest, hostile_links=False, hostile_text_=True), check_feed),
        Property("feed_xml_links", published(longest, hostile_links=True, hostile_text_=False), check_feed_links),
        Property("index_html", published(longest, hostile_links=False, hostile_text_=True), check_index),
        Property("index_html_links", published(longest, hostile_links=True, hostile_text_=False), check_index_links),
        Property("id3_tags", tagged(longest), check_tags),
    )


KNOWN_BUGS: dict[str, tuple[type[BaseException] | tuple[type[BaseException], ...], str]] = {}
"""Property name → (the exception it fails with today, which issue-11 bug that is)."""
