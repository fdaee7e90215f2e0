"""index.html in a real browser: headless Debian Chromium, driven over the DevTools protocol.

The page is served by ``audiocast serve`` on 127.0.0.1. The test proves what a listener needs:
every player loads its MP3 (metadata, duration) and its caption track (cues parsed), a chapter
link reached from the keyboard seeks its player, and nothing is logged as an error or exception.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from .browser import LOAD_PLAYERS, chromium_browser, needs_chromium, open_page  # noqa: F401 (the browser fixture)
from .feed_helpers import ATOM, parsed, served_build

pytestmark = needs_chromium


async def _inspect(devtools_url: str, page_url: str, chapter_link: str) -> dict[str, Any]:
    async with open_page(devtools_url, page_url) as tools:
        players = await tools.evaluate(LOAD_PLAYERS)
        page = await tools.evaluate(
            "({lang: document.documentElement.lang, h1: document.querySelectorAll('h1').length,"
            " h3: [...document.querySelectorAll('article h3')].map(h => h.textContent)})"
        )
        # Keyboard only: focus the chapter link, press Enter; its player must seek there.
        start = await tools.evaluate(
            f"(() => {{ const a = document.querySelector({json.dumps(chapter_link)}); a.focus();"
            " return parseFloat(a.dataset.start); })()"
        )
        await tools.press("Enter", 13)
        await asyncio.sleep(0.5)
        seeked = await tools.evaluate(
            f"(() => {{ const a = document.querySelector({json.dumps(chapter_link)});"
            " const audio = a.closest('article').querySelector('audio');"
            " return {time: audio.currentTime, focused: document.activeElement === audio,"
            " url: location.href}; })()"
        )
        await asyncio.sleep(0.3)  # let late log entries arrive
        return {"players": players, "page": page, "start": start, "seeked": seeked, "problems": tools.problems()}


def test_players_load_audio_and_captions_and_chapters_seek(tmp_path: Path, browser: str) -> None:
    with served_build(tmp_path, ATOM) as (server, report):
        entries = parsed(report.feed_file)[0].entries
        chapter_link = "article:first-of-type ol li:nth-child(2) a"
        result = asyncio.run(_inspect(browser, f"{server.url}show/", chapter_link))

    assert result["problems"] == []
    assert result["page"] == {"lang": "en", "h1": 1, "h3": [entry.title for entry in entries]}
    players = result["players"]
    assert len(players) == len(entries) == 3
    for player, entry in zip(players, entries, strict=True):
        assert player["problem"] is None and player["readyState"] >= 1, player
        assert player["src"] == entry.enclosures[0].href
        assert abs(player["duration"] - int(entry.itunes_duration)) <= 1
        [track] = player["tracks"]
        assert track["problem"] is None and track["readyState"] == 2, track
        assert track["kind"] == "captions" and track["cues"] > 0
    assert result["start"] > 0
    # The link seeks, then plays: the player is at the chapter's start or just past it.
    assert result["start"] - 0.1 <= result["seeked"]["time"] < result["start"] + 3, result["seeked"]
    assert result["seeked"]["focused"] and result["seeked"]["url"] == f"{server.url}show/"
