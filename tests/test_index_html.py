"""index.html in a real browser: headless Debian Chromium, driven over the DevTools protocol.

The page is served by ``audiocast serve`` on 127.0.0.1. The test proves what a listener needs:
every player loads its MP3 (metadata, duration) and its caption track (cues parsed), a chapter
link reached from the keyboard seeks its player, and nothing is logged as an error or exception.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from .feed_helpers import ATOM, parsed, served_build

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium (Debian package chromium) is not installed; .ci/run installs it"
)

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-port=0", "--remote-allow-origins=*",
]  # fmt: skip

# Waits for every <audio> to load its metadata and every <track> to load and parse its cues.
LOAD_PLAYERS = """
(async () => {
  const settle = (target, ok, failed) => new Promise((resolve) => {
    target.addEventListener(ok, () => resolve(null), {once: true});
    target.addEventListener("error", () => resolve(failed), {once: true});
    setTimeout(() => resolve("timed out waiting for " + ok), 20000);
  });
  const players = [];
  for (const audio of document.querySelectorAll("audio")) {
    let problem = audio.error ? "media error " + audio.error.code : null;
    if (!problem && audio.readyState < 1) problem = await settle(audio, "loadedmetadata", "media error");
    const tracks = [];
    for (const track of audio.querySelectorAll("track")) {
      let trackProblem = track.readyState === 3 ? "track error" : null;
      if (!trackProblem && track.readyState !== 2) trackProblem = await settle(track, "load", "track error");
      tracks.push({kind: track.kind, srclang: track.srclang, readyState: track.readyState,
                   cues: track.track.cues ? track.track.cues.length : 0, problem: trackProblem});
    }
    players.push({id: audio.id, src: audio.currentSrc, duration: audio.duration,
                  readyState: audio.readyState, problem, tracks});
  }
  return players;
})()
"""


class DevTools:
    """A minimal Chrome DevTools Protocol session on one page target."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.socket:
            data = json.loads(message.data)
            if "id" in data and data["id"] in self.pending:
                self.pending.pop(data["id"]).set_result(data)
            else:
                self.events.append(data)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[number] = future
        await self.socket.send_json({"id": number, "method": method, "params": params})
        answer = await asyncio.wait_for(future, 60)
        assert "error" not in answer, f"{method}: {answer['error']}"
        result: dict[str, Any] = answer["result"]
        return result

    async def evaluate(self, expression: str) -> Any:
        answer = await self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        assert "exceptionDetails" not in answer, answer["exceptionDetails"]
        return answer["result"].get("value")

    async def wait_for(self, method: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(event.get("method") == method for event in self.events):
            assert time.monotonic() < deadline, f"no {method} within {timeout} s"
            await asyncio.sleep(0.05)

    async def press(self, key: str, code: int) -> None:
        for kind in ("keyDown", "keyUp"):
            await self.call("Input.dispatchKeyEvent", type=kind, key=key, code=key, windowsVirtualKeyCode=code,
                            text="\r" if kind == "keyDown" and key == "Enter" else "")  # fmt: skip

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors (failed loads, CSP, …)."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails']}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
        return found


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[str]:
    """A headless Chromium; yields its DevTools HTTP address."""
    assert CHROMIUM is not None
    profile = tmp_path / "chromium-profile"
    log = (tmp_path / "chromium.log").open("wb")
    process = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"], stdout=log, stderr=subprocess.STDOUT
    )
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 60
    while not (port_file.exists() and port_file.read_text().strip()):
        assert process.poll() is None, (tmp_path / "chromium.log").read_text(errors="replace")[-2000:]
        assert time.monotonic() < deadline, "chromium did not open its DevTools port"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port_file.read_text().split()[0]}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


async def _inspect(devtools_url: str, page_url: str, chapter_link: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{devtools_url}/json/list") as response:
            targets = await response.json()
        target = next(t for t in targets if t["type"] == "page")
        async with session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as socket:
            tools = DevTools(socket)
            for domain in ("Runtime", "Log", "Page"):
                await tools.call(f"{domain}.enable")
            await tools.call("Page.navigate", url=page_url)
            await tools.wait_for("Page.loadEventFired")
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
                " const audio = document.getElementById(a.dataset.player);"
                " return {time: audio.currentTime, focused: document.activeElement === audio,"
                " url: location.href}; })()"
            )
            await asyncio.sleep(0.3)  # let late log entries arrive
            tools.reader.cancel()
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
