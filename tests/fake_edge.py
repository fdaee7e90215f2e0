"""A fake of the Edge read-aloud service, speaking its real websocket protocol on 127.0.0.1.

The real ``edge-tts`` client talks to it unchanged once ``AUDIOCAST_EDGE_WSS_URL`` (or
``edge_tts.communicate.WSS_URL``) points here. Per request it answers like the service does
(see ../shared/reference/edge-tts-protocol.md §3): text frames ``turn.start``, ``response``,
then ``audio.metadata`` frames (one Sentence- or WordBoundary each, in 100-ns ticks) interleaved
with binary ``Path:audio`` frames of real MP3 (24 kHz, 48 kbps, mono, CBR; a tone as long as the
text would take to read), each boundary sent just before the audio message it starts in, then an
empty end-of-audio frame and ``turn.end``.

Scenarios are scripted: ``script("403", "ok")`` queues one action per websocket handshake
(``ok``, ``403``/``429``/``503``/any status, ``no_audio``, ``hang``, ``truncate``, ``drop``,
``slow``); ``truncate`` closes the socket before ``turn.end`` after a third of the audio, having
sent the boundaries of what it spoke (clipped where the audio stops), as a service that fails
mid-turn does; ``drop`` sends the same but ends the turn properly, as a service that drops audio
under load does (edge-tts #235).
``block_voice(name)`` makes a voice always answer with no audio; ``fail_text(substring, action)``
applies an action to every request whose text contains ``substring``. ``refuse`` and ``cut`` make
a share of unscripted handshakes answer HTTP 503 and a share of turns ``truncate``, decided by
``seed`` (a turn by its text and how often that text was asked for, so concurrency does not change
which turns are cut). ``latency`` and ``speed``
make it behave like the real service under load (time to first audio, audio streamed at a
multiple of realtime per connection). The server runs in its own thread and event loop, so sync
tests, the CLI in a subprocess and async code can all use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import random
import re
import subprocess
import threading
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from types import TracebackType
from xml.sax.saxutils import escape

import edge_tts.constants
import imageio_ffmpeg
import pytest
from aiohttp import WSMsgType, web

from audiocast.text import is_syllabic

PATH = "/consumer/speech/synthesize/readaloud"
TOKEN = "6A5AA1D4EAFF4E9FB37E23D68491D6F4"
FRAME_BYTES = 144  # one MPEG-2 layer III frame at 24 kHz / 48 kbps (no padding at this rate)
FRAME_MS = 24  # 576 samples at 24 kHz
FRAMES_PER_MESSAGE = 20  # the service streams audio in small binary messages
LEAD_IN_MS = 100  # the service starts speaking after ~100 ms (first Offset is 1_000_000 ticks)
TAIL_MS = 300
CJK_MS, OTHER_MS = 220, 65  # ~4.5 CJK characters or ~15 other characters per second of speech
CONTENT_ACTIONS = ("ok", "no_audio", "hang", "truncate", "drop", "slow")

_SSML = re.compile(
    r"<voice name='(?P<voice>[^']*)'><prosody pitch='(?P<pitch>[^']*)' rate='(?P<rate>[^']*)' "
    r"volume='(?P<volume>[^']*)'>(?P<text>.*)</prosody></voice>",
    re.DOTALL,
)
_LONG_NAME = re.compile(r"^Microsoft Server Speech Text to Speech Voice \((?P<locale>.+), (?P<name>.+)\)$")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
_WORD = re.compile(r"[\u3400-\u9fff]{1,2}|[^\W\u3400-\u9fff]+")
"""A word as the service times it: a run of letters or digits without punctuation ("AT&T" is two),
and in Chinese pairs of characters (its word breaker mostly makes two-character words: "北约", "外长";
the fake does not look words up, so "年会" may be one)."""


@pytest.fixture
def fake_edge(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEdge]:
    """A running fake service that ``EdgeEngine`` (and the CLI, through the environment) talks to."""
    with FakeEdge() as fake:
        monkeypatch.setenv("AUDIOCAST_EDGE_WSS_URL", fake.wss_url)
        for name in ("NO_PROXY", "no_proxy"):  # edge-tts uses trust_env=True
            monkeypatch.setenv(name, "127.0.0.1,localhost")
        # Process-wide edge-tts state the engine or a 403 changes; monkeypatch restores it.
        monkeypatch.setattr("edge_tts.communicate.WSS_URL", edge_tts.constants.WSS_URL)
        monkeypatch.setattr("edge_tts.voices.VOICE_LIST", edge_tts.constants.VOICE_LIST)
        monkeypatch.setattr("edge_tts.drm.DRM.clock_skew_seconds", 0.0)
        yield fake


@dataclass
class Turn:
    """One synthesis request the fake received, and what it did with it."""

    voice: str
    text: str
    rate: str
    pitch: str
    volume: str
    word_boundaries: bool
    action: str


@dataclass
class _Stats:
    handshakes: int = 0
    refused: int = 0
    probes: int = 0
    voice_lists: int = 0
    active: int = 0
    max_active: int = 0
    turns: list[Turn] = field(default_factory=list)


def speech_ms(text: str, rate: str = "+0%") -> int:
    """How long the fake takes to 'read' ``text``, without lead-in or tail.

    >>> speech_ms("中文"), speech_ms("ab"), speech_ms("ab", "+100%")
    (440, 130, 65)
    """
    plain = sum(CJK_MS if is_syllabic(char) else OTHER_MS for char in text)
    return round(plain / (1 + int(rate[:-1]) / 100))


@functools.cache
def _tone(frames: int) -> bytes:
    """``frames`` MP3 frames of a 220 Hz tone, as the service's format; a prefix of one encoding."""
    seconds = frames * FRAME_MS / 1000 + 1
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-f", "lavfi",
        "-i", f"sine=frequency=220:sample_rate=24000:duration={seconds:.3f}",
        "-ac", "1", "-ar", "24000", "-c:a", "libmp3lame", "-b:a", "48k",
        "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3", "pipe:1",
    ]  # fmt: skip
    encoded = subprocess.run(command, check=True, capture_output=True).stdout
    return encoded[: frames * FRAME_BYTES]


def mp3_audio(duration_ms: int) -> bytes:
    """Real MP3 audio lasting ``duration_ms`` (rounded up to whole frames)."""
    frames = -(-duration_ms // FRAME_MS)
    # Encode in 30 s steps so most requests share one cached encoding.
    step = 30_000 // FRAME_MS
    return _tone(-(-frames // step) * step)[: frames * FRAME_BYTES]


def full_clip_ms(text: str, rate: str = "+0%") -> int:
    """How long the fake's whole clip for ``text`` lasts: lead-in, speech and tail, in whole frames.

    >>> full_clip_ms("中文")
    840
    """
    return -(-(LEAD_IN_MS + speech_ms(text, rate) + TAIL_MS) // FRAME_MS) * FRAME_MS


def boundaries(text: str, rate: str, words: bool) -> list[tuple[int, int, str]]:
    """(offset ms, duration ms, text) for each sentence (or word) of ``text``.

    >>> boundaries("Hi there. Bye.", "+0%", False)
    [(100, 585, 'Hi there.'), (750, 260, 'Bye.')]
    >>> [word for *_, word in boundaries("北约外长2023年会议。Hi!", "+0%", True)]
    ['北约', '外长', '2023', '年会', '议', 'Hi']
    """
    pieces = _WORD.findall(text) if words else [p for p in _SENTENCE_END.split(text) if p.strip()]
    found, cursor, position = [], 0, 0
    for piece in pieces:
        start = text.index(piece, position)
        cursor += speech_ms(text[position:start], rate)
        duration = speech_ms(piece, rate)
        found.append((LEAD_IN_MS + cursor, duration, piece))
        cursor += duration
        position = start + len(piece)
    return found


class FakeEdge:
    """The fake service. Use as a context manager or call :meth:`start`/:meth:`stop`."""

    def __init__(
        self,
        *,
        latency: tuple[float, float] = (0.0, 0.0),
        speed: float | None = None,
        port: int = 0,
        refuse: float = 0.0,
        cut: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.latency = latency
        self.speed = speed
        self.refuse = refuse
        """Share of unscripted handshakes answered with HTTP 503."""
        self.cut = cut
        """Share of ``ok`` turns answered as ``truncate``."""
        self.seed = seed
        self._refusals = random.Random(seed)
        self._asked: Counter[str] = Counter()
        self.slow_delay = 0.5
        self.voices: list[dict[str, object]] = []
        self._actions: deque[str] = deque()
        self._blocked: set[str] = set()
        self._text_rules: list[tuple[str, str]] = []
        self._stats = _Stats()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-edge", daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = port

    # --- scripting -------------------------------------------------------------------------

    def script(self, *actions: str) -> None:
        """Queue one action per coming handshake; when the queue is empty every request is ``ok``."""
        with self._lock:
            self._actions.extend(actions)

    def block_voice(self, short_name: str) -> None:
        self._blocked.add(short_name)

    def fail_text(self, substring: str, action: str) -> None:
        if action not in CONTENT_ACTIONS:
            raise ValueError(f"{action!r} cannot depend on the text (statuses are sent before it)")
        self._text_rules.append((substring, action))

    def reset(self) -> None:
        """Forget scripts, blocks, rules and counts."""
        with self._lock:
            self._actions.clear()
            self._blocked.clear()
            self._text_rules.clear()
            self._asked.clear()
            self._stats = _Stats()

    # --- what it saw -------------------------------------------------------------------------

    @property
    def turns(self) -> list[Turn]:
        """Every SSML request received (after the websocket opened), in arrival order."""
        return list(self._stats.turns)

    @property
    def handshakes(self) -> int:
        """Websocket upgrade requests, including the ones answered with an error status."""
        return self._stats.handshakes

    @property
    def refused(self) -> int:
        """Handshakes answered with an error status (scripted or drawn by ``refuse``)."""
        return self._stats.refused

    @property
    def probes(self) -> int:
        """Plain HTTP requests to the websocket address (reachability checks)."""
        return self._stats.probes

    @property
    def voice_lists(self) -> int:
        return self._stats.voice_lists

    @property
    def max_active(self) -> int:
        """The most websocket connections open at once."""
        return self._stats.max_active

    @property
    def wss_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{PATH}/edge/v1?TrustedClientToken={TOKEN}"

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> FakeEdge:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> FakeEdge:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get(f"{PATH}/edge/v1", self._synthesis)
        app.router.add_get(f"{PATH}/voices/list", self._voice_list)
        # handler_cancellation: a hanging handler must end when its client goes away or we stop.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- the protocol -------------------------------------------------------------------------

    async def _voice_list(self, request: web.Request) -> web.Response:
        with self._lock:
            self._stats.voice_lists += 1
        return web.json_response(self.voices or _snapshot())

    async def _synthesis(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() != "websocket":
            with self._lock:
                self._stats.probes += 1
            return web.Response(status=400, text="expected a websocket upgrade")
        with self._lock:
            self._stats.handshakes += 1
            action = self._actions.popleft() if self._actions else self._drawn_action()
            self._stats.refused += action.isdigit()
        if action.isdigit():
            return web.Response(status=int(action), text=f"scripted status {action}")  # aiohttp adds Date
        websocket = web.WebSocketResponse()
        await websocket.prepare(request)
        self._opened()
        try:
            await self._serve_turn(websocket, action)
        finally:
            self._closed()
        return websocket

    def _drawn_action(self) -> str:
        return "503" if self.refuse and self._refusals.random() < self.refuse else "ok"

    def _cut_drawn(self, text: str) -> bool:
        """Whether this request for ``text`` is cut, the same for a given seed whatever the arrival order."""
        with self._lock:
            self._asked[text] += 1
            asked = self._asked[text]
        return bool(self.cut) and random.Random(f"{self.seed}\x00{asked}\x00{text}").random() < self.cut

    def _opened(self) -> None:
        with self._lock:
            self._stats.active += 1
            self._stats.max_active = max(self._stats.max_active, self._stats.active)

    def _closed(self) -> None:
        with self._lock:
            self._stats.active -= 1

    async def _serve_turn(self, websocket: web.WebSocketResponse, action: str) -> None:
        config, ssml = await _receive_text(websocket), await _receive_text(websocket)
        turn = self._turn(config, ssml, action)
        with self._lock:
            self._stats.turns.append(turn)
        if turn.action == "hang":  # accept, then say nothing until the client gives up
            async for _ in websocket:
                pass
            return
        await asyncio.sleep(random.uniform(*self.latency) + (self.slow_delay if turn.action == "slow" else 0))
        request_id = uuid.uuid4().hex
        await websocket.send_str(_text_frame(request_id, "turn.start", '{"context":{"serviceTag":"fake"}}'))
        await websocket.send_str(_text_frame(request_id, "response", '{"context":{"serviceTag":"fake"}}'))
        if turn.action == "no_audio":
            await websocket.send_str(_text_frame(request_id, "turn.end", "{}"))
            return
        await self._speak(websocket, request_id, turn)

    def _turn(self, config: str, ssml: str, action: str) -> Turn:
        match = _SSML.search(ssml)
        if match is None:
            raise ValueError(f"fake edge: unexpected SSML {ssml[:200]!r}")
        long_name = _LONG_NAME.match(match["voice"])
        voice = f"{long_name['locale']}-{long_name['name']}" if long_name else match["voice"]
        text = unescape(match["text"])
        if voice in self._blocked:
            action = "no_audio"
        for substring, rule_action in self._text_rules:
            if substring in text:
                action = rule_action
        if action == "ok" and self._cut_drawn(text):
            action = "truncate"
        audio_config = json.loads(config.split("\r\n\r\n", 1)[1])["context"]["synthesis"]["audio"]
        words = audio_config["metadataoptions"]["wordBoundaryEnabled"] == "true"
        return Turn(voice, text, match["rate"], match["pitch"], match["volume"], words, action)

    async def _speak(self, websocket: web.WebSocketResponse, request_id: str, turn: Turn) -> None:
        kind = "WordBoundary" if turn.word_boundaries else "SentenceBoundary"
        audio = mp3_audio(LEAD_IN_MS + speech_ms(turn.text, turn.rate) + TAIL_MS)
        spoken = boundaries(turn.text, turn.rate, turn.word_boundaries)
        if turn.action in ("truncate", "drop"):  # the service fails a third of the way in
            audio = audio[: max(1, len(audio) // FRAME_BYTES // 3) * FRAME_BYTES]
            stop_ms = len(audio) // FRAME_BYTES * FRAME_MS
            spoken = [(start, min(length, stop_ms - start), piece) for start, length, piece in spoken if start < stop_ms]
        pending = deque(spoken)
        message_bytes = FRAMES_PER_MESSAGE * FRAME_BYTES
        for index, message in enumerate(_chunks(audio, message_bytes)):
            message_end_ms = (index * message_bytes + len(message)) // FRAME_BYTES * FRAME_MS
            while pending and pending[0][0] < message_end_ms:  # its metadata just before its audio
                metadata = _metadata(kind, *pending.popleft())
                await websocket.send_str(_text_frame(request_id, "audio.metadata", metadata))
            if self.speed:
                await asyncio.sleep(len(message) / FRAME_BYTES * FRAME_MS / 1000 / self.speed)
            await websocket.send_bytes(_audio_frame(request_id, message))
        if turn.action == "truncate":
            await websocket.close()
            return
        await websocket.send_bytes(_audio_frame(request_id, b""))
        await websocket.send_str(_text_frame(request_id, "turn.end", '{"context":{"serviceTag":"fake"}}'))


async def _receive_text(websocket: web.WebSocketResponse) -> str:
    message = await websocket.receive()
    if message.type != WSMsgType.TEXT:
        raise ValueError(f"fake edge: expected a text frame, got {message.type!r}")
    return str(message.data)


def _text_frame(request_id: str, path: str, body: str) -> str:
    headers = f"X-RequestId:{request_id}\r\nContent-Type:application/json; charset=utf-8\r\nPath:{path}"
    return f"{headers}\r\n\r\n{body}"


def _audio_frame(request_id: str, payload: bytes) -> bytes:
    # edge-tts parses data[:N] (keeping the 2 length bytes, dropping the last 2 header bytes), so
    # the header block must end with CRLF and Path must not be its first line (protocol §3.3).
    content_type = "Content-Type:audio/mpeg\r\n" if payload else ""
    stream = f"X-StreamId:{request_id[:8]}\r\n"
    header = f"X-RequestId:{request_id}\r\n{content_type}{stream}Path:audio\r\n".encode()
    return len(header).to_bytes(2, "big") + header + payload


def _metadata(kind: str, offset_ms: int, duration_ms: int, text: str) -> str:
    # Offsets in 100-ns ticks; the text comes back XML-escaped, as in the SSML (edge-tts unescapes).
    spoken = {"Text": escape(text), "Length": len(text), "BoundaryType": kind}
    data = {"Offset": offset_ms * 10_000, "Duration": duration_ms * 10_000, "text": spoken}
    return json.dumps({"Metadata": [{"Type": kind, "Data": data}]}, ensure_ascii=False)


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@functools.cache
def _snapshot_text() -> str:
    return (Path(__file__).parents[1] / "audiocast" / "data" / "edge_voices.json").read_text(encoding="utf-8")


def _snapshot() -> list[dict[str, object]]:
    voices: list[dict[str, object]] = json.loads(_snapshot_text())["voices"]
    return voices


def main() -> None:
    """Serve the fake from the command line, to try ``--engine edge`` with no network."""
    import argparse

    parser = argparse.ArgumentParser(description="A fake Edge read-aloud service on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default: 8765)")
    parser.add_argument("--speed", type=float, help="stream audio at N x realtime (default: at once)")
    parser.add_argument("--latency", type=float, nargs=2, default=(0.0, 0.0), help="seconds to first audio")
    parser.add_argument("--refuse", type=float, default=0.0, help="share of connections refused with HTTP 503")
    parser.add_argument("--cut", type=float, default=0.0, help="share of turns closed before turn.end")
    parser.add_argument("--seed", type=int, default=0, help="decides which connections and turns fail")
    args = parser.parse_args()
    misbehaving = {"refuse": args.refuse, "cut": args.cut, "seed": args.seed}
    with FakeEdge(latency=tuple(args.latency), speed=args.speed, port=args.port, **misbehaving) as fake:
        print(f"export AUDIOCAST_EDGE_WSS_URL='{fake.wss_url}'", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
