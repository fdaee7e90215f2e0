"""A real browser for the page tests: headless Debian Chromium driven over the DevTools protocol, and
axe-core (the npm package) to check a page against WCAG.

Both are installed by .ci/run; a local run without them skips the tests that need them, saying why.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = ROOT / ".node" / "node_modules" / "axe-core" / "axe.min.js"
"""Where .ci/run installs axe-core with npm (``--prefix .node``; the folder is git-ignored)."""

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium (Debian package chromium) is not installed; .ci/run installs it"
)
needs_axe = pytest.mark.skipif(
    not AXE.is_file(),
    reason=f"axe-core (npm) is not installed at {AXE}; .ci/run installs it",
)

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-port=0", "--remote-allow-origins=*",
]  # fmt: skip

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
"""The axe-core tags of every WCAG 2.0, 2.1 and 2.2 success criterion at levels A and AA."""

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
        """A key pressed and released, as the keyboard sends it (a user gesture, unlike a script's event)."""
        typed = {"Enter": "\r", " ": " "}.get(key, "")
        for kind in ("keyDown", "keyUp"):
            await self.call("Input.dispatchKeyEvent", type=kind, key=key, code=key, windowsVirtualKeyCode=code,
                            text=typed if kind == "keyDown" else "")  # fmt: skip

    async def click(self, x: float, y: float) -> None:
        """A left mouse click at a point of the viewport."""
        for kind in ("mousePressed", "mouseReleased"):
            await self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    async def axe_violations(self) -> list[dict[str, Any]]:
        """axe-core's WCAG 2.2 AA violations on the page as it is now: rule, impact and where."""
        await self.evaluate(AXE.read_text(encoding="utf-8"))
        options = json.dumps({"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]})
        found: list[dict[str, Any]] = await self.evaluate(
            f"axe.run(document, {options}).then(r => r.violations.map(v => ({{id: v.id, impact: v.impact,"
            " help: v.help, nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)})))"
        )
        return found

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


@contextlib.asynccontextmanager
async def open_page(devtools_url: str, page_url: str, *, javascript: bool = True) -> AsyncIterator[DevTools]:
    """A session on the browser's page, navigated to ``page_url`` and loaded."""
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{devtools_url}/json/list") as response:
            target = next(t for t in await response.json() if t["type"] == "page")
        async with session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as socket:
            tools = DevTools(socket)
            for domain in ("Runtime", "Log", "Page"):
                await tools.call(f"{domain}.enable")
            if not javascript:
                await tools.call("Emulation.setScriptExecutionDisabled", value=True)
            await tools.call("Page.navigate", url=page_url)
            await tools.wait_for("Page.loadEventFired")
            try:
                yield tools
            finally:
                tools.reader.cancel()


@pytest.fixture(name="browser")
def chromium_browser(tmp_path: Path) -> Iterator[str]:
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
