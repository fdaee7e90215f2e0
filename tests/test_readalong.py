"""index.html reads along: the transcript's sentences carry their caption times, the one being heard is
marked and kept in view, a click or a key on a sentence plays from it, and the page passes axe-core's
WCAG 2.2 AA rules. Proved on a real offline build (a long English article with hostile text, an Arabic
one, three short ones), served on 127.0.0.1 and opened in headless Chromium.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from audiocast.models import Block
from audiocast.publish.captions import read_vtt, to_vtt
from audiocast.publish.show import Show
from audiocast.publish.site import render_index
from audiocast.publish.transcript import to_transcript
from audiocast.script import build_script

from .browser import LOAD_PLAYERS, chromium_browser, needs_axe, needs_chromium, open_page  # noqa: F401 (a fixture)
from .feed_helpers import ARTICLES, copy_articles, served_build
from .test_captions import EN, article, timeline_of
from .test_episode import vtt_cues
from .test_feed_publish import EPISODE

READALONG = Path(__file__).resolve().parent / "data" / "readalong"
ARABIC = Path(__file__).resolve().parent / "data" / "rtl" / "articles"
LONG_TITLE = "Ferries & \"tides\" <return> to the 'harbour' --> a long day"
HEADING = "Whatchangesnext"
"""The last chapter's heading in the long article, without its spaces."""
LIVE_REGIONS = "[aria-live], [role=status], [role=log], [role=alert], [role=marquee], [role=timer], output"


@dataclasses.dataclass(frozen=True)
class Site:
    url: str
    output: Path

    def page(self) -> BeautifulSoup:
        return BeautifulSoup((self.output / "index.html").read_text(encoding="utf-8"), "html5lib")

    def sidecar(self, episode: Tag, ending: str) -> Path:
        """A file beside the MP3 of an episode's ``<article>``: its captions (``.vtt``), its transcript, …"""
        track = episode.find("track")
        assert isinstance(track, Tag)
        return self.output / (str(track["src"]).removesuffix(".vtt") + ending)

    def cues(self, episode: Tag) -> list[tuple[int, int, str]]:
        """The caption cues of an episode's ``<article>``, from its VTT file (lines joined by a space)."""
        return [(start, end, html.unescape(text)) for start, end, text in vtt_cues(self.sidecar(episode, ".vtt"), " ")]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("readalong")
    source = copy_articles(folder / "articles", ARTICLES, READALONG, ARABIC)
    with served_build(folder, source) as (server, report):
        assert report.episodes == 5 and not report.failed
        yield Site(f"{server.url}show/", report.output)


@pytest.fixture(scope="module")
def arabic_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A show in Arabic: the page's own words are Arabic and it is right to left."""
    with served_build(tmp_path_factory.mktemp("readalong-ar"), ARABIC, language="ar") as (server, report):
        assert report.episodes == 1 and not report.failed
        yield Site(f"{server.url}show/", report.output)


def _text(element: Tag | None) -> str:
    assert element is not None
    return element.get_text()


def _compact(text: str) -> str:
    return "".join(text.split())


def test_each_sentence_of_the_transcript_carries_the_start_of_its_caption(site: Site) -> None:
    page = site.page()
    for episode in page.select("article"):
        sentences = episode.select(".transcript .sentences span[data-start]")
        cues = site.cues(episode)
        assert [(float(str(span["data-start"])), _compact(span.get_text())) for span in sentences] == [
            (start / 1000, _compact(text)) for start, _end, text in cues
        ], _text(episode.h3)
        # The transcript reads as before: the same words, the same paragraphs, only marked up.
        transcript = site.sidecar(episode, ".transcript.txt").read_text(encoding="utf-8")
        paragraphs = [" ".join(paragraph.split()) for paragraph in transcript.split("\n\n") if paragraph.strip()]
        assert [" ".join(p.get_text().split()) for p in episode.select(".transcript p")] == paragraphs
    # Hostile text stays text: the title's <return> made no element, quotes and & are intact.
    assert page.find("return") is None and LONG_TITLE in [_text(episode.h3) for episode in page.select("article")]
    assert not page.select("main script, [onerror]")


def _episode_with(text: str, cues_from: str) -> tuple[BeautifulSoup, str]:
    """The page of one episode whose transcript is ``text`` read as an article, timed by the captions
    of the article ``cues_from`` (the same text, or another one); and the transcript."""

    def captions(body: str) -> tuple[str, str]:
        script = build_script(article('Title <b> & "q"', Block("paragraph", body)), EN)
        return to_transcript(script), to_vtt(timeline_of(script), "en")

    transcript, _ = captions(text)
    _, vtt = captions(cues_from)
    episode = dataclasses.replace(EPISODE, transcript=transcript, cues=read_vtt(vtt))
    return BeautifulSoup(render_index(Show.example(), [episode]), "html5lib"), transcript


def test_hostile_sentences_are_escaped_and_keep_their_times() -> None:
    body = "Prices rose <script>alert('x')</script> & fell. «بدأ العمل» said \"Ali\" at 6 a.m. Then it ended."
    page, transcript = _episode_with(body, body)
    sentences = page.select(".sentences span[data-start]")
    assert page.select("script") == page.select("body > script")  # only the page's own
    starts = [float(str(span["data-start"])) for span in sentences]
    assert starts == sorted(starts) and len(set(starts)) == len(starts) and len(sentences) >= 4
    assert "alert('x')" in "".join(span.get_text() for span in sentences)
    assert _compact(_text(page.select_one(".transcript div"))) == _compact(transcript)


def test_a_transcript_its_captions_do_not_match_is_shown_untimed() -> None:
    page, _ = _episode_with("The ferry left at six. It came back at noon.", "Something else was read.")
    transcript = page.select_one(".transcript div")
    assert transcript is not None and "sentences" not in transcript.get_attribute_list("class")
    assert not page.select("[data-start]:not(a)")
    assert "The ferry left at six. It came back at noon." in transcript.get_text()


# In the page: what the transcripts mark, whether the marked sentence of an episode is in view in its
# box, and which transcripts are open.
LOOK = """
window.look = (episode) => {
  const article = document.querySelectorAll("article")[episode], box = article.querySelector(".follows");
  const marked = [...document.querySelectorAll("[aria-current]")];
  const shown = box.getBoundingClientRect(), place = marked.length ? marked[0].getBoundingClientRect() : null;
  return {
    marked: marked.map((element) => element.textContent),
    inEpisode: marked.every((element) => article.contains(element)),
    inView: !!place && place.top >= shown.top && place.bottom <= shown.bottom,
    scrolled: box.scrollTop, scrolls: box.scrollHeight > box.clientHeight,
    scrollBehavior: getComputedStyle(box).scrollBehavior,
    open: [...document.querySelectorAll("details.transcript")].map((details) => details.open),
  };
};
"""

# Seek one player and look the moment the seek is done.
SEEK_AND_LOOK = """
(async ({episode, time}) => {
  const audio = document.querySelectorAll("article")[episode].querySelector("audio");
  await new Promise((resolve) => {
    audio.addEventListener("seeked", resolve, {once: true});
    audio.currentTime = time;
  });
  return look(episode);
})
"""


def _position(site: Site) -> tuple[int, list[tuple[int, int, str]]]:
    episodes = site.page().select("article")
    index = next(number for number, episode in enumerate(episodes) if _text(episode.h3) == LONG_TITLE)
    return index, site.cues(episodes[index])


async def _seek_and_look(devtools_url: str, site: Site) -> dict[str, Any]:
    index, cues = _position(site)
    async with open_page(devtools_url, site.url) as tools:
        await tools.call("Emulation.setEmulatedMedia", features=[{"name": "prefers-reduced-motion", "value": "reduce"}])
        await tools.evaluate(LOAD_PLAYERS)
        await tools.evaluate(LOOK)
        # Seek to the last chapter's heading, far down the transcript, while it is closed; then play it
        # from the keyboard (the chapter's link, Enter): the transcript opens, showing that sentence.
        heading = next(cue for cue in cues if _compact(cue[2]) == HEADING)
        await tools.evaluate(f"({SEEK_AND_LOOK})({json.dumps({'episode': index, 'time': heading[0] / 1000 + 0.2})})")
        await tools.evaluate(
            f"document.querySelectorAll('article')[{index}].querySelector('ol li:last-child a').focus()"
        )
        await tools.press("Enter", 13)
        played = await tools.evaluate(
            f"(async () => {{ const article = document.querySelectorAll('article')[{index}];"
            " const audio = article.querySelector('audio'), details = article.querySelector('details');"
            " for (let wait = 0; !details.open && wait < 100; wait++) await new Promise((r) => setTimeout(r, 10));"
            f" const seen = look({index}); seen.playing = !audio.paused; audio.pause(); return seen; }})()"
        )  # looks within 10 ms of the transcript opening: before the next sentence can be reached
        looks = {"played": played}
        for name, cue in (("late", cues[-3]), ("first", cues[0])):
            arguments = json.dumps({"episode": index, "time": (cue[0] + cue[1]) / 2000})
            looks[name] = await tools.evaluate(f"({SEEK_AND_LOOK})({arguments})")
        # The listener scrolls the transcript away from the marked sentence, then plays again: it is
        # brought back into view (looked at as the player starts, before any sentence changes).
        looks["replayed"] = await tools.evaluate(
            f"(async () => {{ const article = document.querySelectorAll('article')[{index}];"
            " const audio = article.querySelector('audio'), box = article.querySelector('.follows');"
            " box.scrollTop = box.scrollHeight;"
            " const seen = await new Promise((resolve) => {"
            f"   audio.addEventListener('play', () => resolve(look({index})), {{once: true}}); audio.play(); }});"
            " audio.pause(); return seen; })()"
        )
        await tools.call("Emulation.setEmulatedMedia", features=[])
        smooth = await tools.evaluate(
            f"getComputedStyle(document.querySelectorAll('.follows')[{index}]).scrollBehavior"
        )
        live = await tools.evaluate(f"document.querySelectorAll({json.dumps(LIVE_REGIONS)}).length")
        return {"index": index, "cues": cues, "looks": looks, "smooth": smooth, "live": live,
                "problems": tools.problems()}  # fmt: skip


@needs_chromium
def test_seeking_marks_the_sentence_heard_and_keeps_it_in_view(site: Site, browser: str) -> None:
    result = asyncio.run(_seek_and_look(browser, site))
    looks = result["looks"]
    played, late, first = (looks[name] for name in ("played", "late", "first"))
    cues = result["cues"]
    assert result["problems"] == []
    # Only the episode that played opened its transcript; only it marks a sentence: the chapter's heading.
    assert played["playing"], "Enter on the chapter link did not play the episode"
    assert played["open"] == [number == result["index"] for number in range(len(played["open"]))]
    assert [_compact(text) for text in played["marked"]] == [HEADING] and played["inView"], played
    assert [_compact(text) for text in late["marked"]] == [_compact(cues[-3][2])] and late["inEpisode"]
    assert [_compact(text) for text in first["marked"]] == [_compact(cues[0][2])] and first["inEpisode"]
    # The late sentence was below the box's fold: the box scrolled to it, and at once (reduced motion).
    assert late["scrolls"] and late["scrolled"] > 0 and late["inView"], late
    assert first["scrolled"] == 0 and first["inView"], first
    assert [_compact(text) for text in looks["replayed"]["marked"]] == [_compact(cues[0][2])]
    assert looks["replayed"]["inView"], looks["replayed"]
    assert late["scrollBehavior"] == "auto" and result["smooth"] == "smooth"
    assert result["live"] == 0  # nothing announces the sentences


# In the page: where the player of an episode is, and what has the focus.
WHERE = """
(({episode}) => {
  const article = document.querySelectorAll("article")[episode], audio = article.querySelector("audio");
  const focused = document.activeElement;
  return {time: audio.currentTime, focused: focused.dataset.start ? parseFloat(focused.dataset.start) : null,
          role: focused.getAttribute("role"), outline: getComputedStyle(focused).outlineStyle};
})
"""


async def _activate(devtools_url: str, site: Site) -> dict[str, Any]:
    index, _ = _position(site)
    where = f"({WHERE})({json.dumps({'episode': index})})"
    sentences = f"document.querySelectorAll('article')[{index}].querySelectorAll('.follows [data-start]')"
    async with open_page(devtools_url, site.url) as tools:
        await tools.evaluate(LOAD_PLAYERS)
        await tools.evaluate(f"document.querySelectorAll('article')[{index}].querySelector('details').open = true")
        starts: list[float] = await tools.evaluate(f"[...{sentences}].map((s) => parseFloat(s.dataset.start))")
        seen = {}
        # A click on the fifth sentence.
        box = await tools.evaluate(
            f"(() => {{ const s = {sentences}[4]; s.scrollIntoView({{block: 'center'}});"
            " const r = s.getClientRects()[0]; return {x: r.left + 4, y: r.top + r.height / 2}; })()"
        )
        await tools.click(box["x"], box["y"])
        await asyncio.sleep(0.3)
        seen["click"] = await tools.evaluate(where)
        # The keyboard: focus the seventh sentence, Tab to the eighth, Enter; then Tab to the ninth, Space.
        await tools.evaluate(
            f"{sentences}[0].closest('article').querySelector('audio').pause(); {sentences}[6].focus()"
        )
        await tools.press("Tab", 9)
        await tools.press("Enter", 13)
        await asyncio.sleep(0.3)
        seen["enter"] = await tools.evaluate(where)
        await tools.press("Tab", 9)
        before = await tools.evaluate("window.scrollY")
        await tools.press(" ", 32)
        await asyncio.sleep(0.3)
        seen["space"] = await tools.evaluate(where)
        seen["page moved"] = await tools.evaluate("window.scrollY") - before  # Space scrolls a page by default
        return {"starts": starts, "seen": seen, "problems": tools.problems()}


@needs_chromium
def test_a_click_enter_or_space_on_a_sentence_plays_from_its_start(site: Site, browser: str) -> None:
    result = asyncio.run(_activate(browser, site))
    starts, seen = result["starts"], result["seen"]
    assert result["problems"] == []
    assert starts[4] - 0.1 <= seen["click"]["time"] < starts[4] + 3, seen  # it seeks, then plays
    for name, number in (("enter", 7), ("space", 8)):
        assert seen[name]["focused"] == starts[number] and seen[name]["role"] == "button", seen  # Tab reached it
        assert starts[number] - 0.1 <= seen[name]["time"] < starts[number] + 3, seen
        assert seen[name]["outline"] != "none", seen  # the focus is visible
    assert seen["page moved"] == 0


async def _without_javascript(devtools_url: str, site: Site) -> dict[str, Any]:
    async with open_page(devtools_url, site.url, javascript=False) as tools:
        return {
            "transcripts": await tools.evaluate(
                "[...document.querySelectorAll('details.transcript > div')].map((div) => div.textContent)"
            ),
            "enhanced": await tools.evaluate("document.querySelectorAll('[tabindex], [role], .follows').length"),
        }


@needs_chromium
def test_without_javascript_the_transcript_is_plain_text(site: Site, browser: str) -> None:
    result = asyncio.run(_without_javascript(browser, site))
    page = site.page()
    assert result["enhanced"] == 0
    assert [" ".join(text.split()) for text in result["transcripts"]] == [
        " ".join(_text(div).split()) for div in page.select("details.transcript > div")
    ]
    assert any(LONG_TITLE.split(" <")[0] in text for text in result["transcripts"])


async def _axe(devtools_url: str, site: Site, episode: int, sentence: int) -> dict[str, Any]:
    cues = site.cues(site.page().select("article")[episode])
    async with open_page(devtools_url, site.url) as tools:
        await tools.evaluate(LOAD_PLAYERS)
        await tools.evaluate(LOOK)
        as_loaded = await tools.axe_violations()
        # Reading along: every transcript open, a sentence marked, another one focused.
        arguments = json.dumps({"episode": episode, "time": (cues[sentence][0] + cues[sentence][1]) / 2000})
        await tools.evaluate("document.querySelectorAll('details').forEach((details) => { details.open = true; })")
        await tools.evaluate(f"({SEEK_AND_LOOK})({arguments})")
        await tools.evaluate(
            f"document.querySelectorAll('article')[{episode}].querySelectorAll('.follows [data-start]')[1].focus()"
        )
        reading = await tools.evaluate("document.querySelectorAll('[aria-current]').length")
        direction = await tools.evaluate("document.documentElement.dir")
        return {"as_loaded": as_loaded, "reading": await tools.axe_violations(), "marked": reading, "dir": direction}


@needs_chromium
@needs_axe
def test_axe_core_finds_no_wcag_2_2_aa_violation(site: Site, browser: str) -> None:
    result = asyncio.run(_axe(browser, site, _position(site)[0], 5))
    assert result["marked"] == 1
    assert result["as_loaded"] == [] and result["reading"] == [], json.dumps(result, indent=1)


@needs_chromium
@needs_axe
def test_axe_core_finds_no_wcag_2_2_aa_violation_on_a_right_to_left_page(arabic_site: Site, browser: str) -> None:
    result = asyncio.run(_axe(browser, arabic_site, 0, 2))
    assert result["marked"] == 1 and result["dir"] == "rtl"
    assert result["as_loaded"] == [] and result["reading"] == [], json.dumps(result, indent=1)
