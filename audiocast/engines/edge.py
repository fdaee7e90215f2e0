"""The online voice: Microsoft Edge's neural voices through ``edge-tts``.

This is the only module that imports ``edge_tts`` or ``aiohttp``. It owns:

- :class:`EdgeEngine`: one ``edge_tts.Communicate`` per segment, its audio and its boundaries,
  and the check that every turn ended (edge-tts returns a cut turn's audio without complaint);
- the endpoint seam: ``AUDIOCAST_EDGE_WSS_URL`` replaces the service's websocket URL;
- the reachability check behind ``--engine auto``;
- the voice list: live from the service, else the bundled snapshot (``engines.edge_list``);
- the translation of every edge-tts/aiohttp exception into the ``SynthError`` tree, here and
  nowhere else. Retries, timeouts and caching live in ``audiocast.synth``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import certifi
import edge_tts
import edge_tts.communicate
import edge_tts.constants
import edge_tts.voices
from edge_tts import exceptions as edge_errors
from edge_tts.typing import TTSChunk

from ..errors import EngineUnavailable, NoAudioError, SynthError, TransientSynthError
from ..models import Boundary, Clip
from .base import VoiceSpec
from .edge_list import OUTPUT_FORMAT, EdgeVoice, snapshot_voices, voice_entry

log = logging.getLogger(__name__)

ENDPOINT_ENV = "AUDIOCAST_EDGE_WSS_URL"
"""Environment variable that replaces the service's websocket URL (a mirror or a test double)."""

BoundaryKind = Literal["SentenceBoundary", "WordBoundary"]

SAMPLE_RATE = 24_000
_TICKS_PER_MS = 10_000  # edge-tts offsets and durations are in 100-ns ticks
_TOKEN_QUERY = f"TrustedClientToken={edge_tts.constants.TRUSTED_CLIENT_TOKEN}"
_SSL_CONTEXT = ssl.create_default_context(cafile=certifi.where())  # the CA bundle edge-tts trusts
_CHECKED = "whole-turns"
"""Part of the engine version: clips accepted before every turn was checked to end may be cut off,
so they are not taken from the cache, and the episodes read with them are made again once."""


def endpoint_url() -> str:
    """The websocket URL to use: ``AUDIOCAST_EDGE_WSS_URL`` when set, else the service's own.

    >>> os.environ[ENDPOINT_ENV] = "ws://127.0.0.1:8080/edge/v1"
    >>> endpoint_url()
    'ws://127.0.0.1:8080/edge/v1?TrustedClientToken=6A5AA1D4EAFF4E9FB37E23D68491D6F4'
    >>> del os.environ[ENDPOINT_ENV]
    """
    override = os.environ.get(ENDPOINT_ENV, "").strip()
    if not override:
        return str(edge_tts.constants.WSS_URL)
    if urlsplit(override).scheme not in ("ws", "wss"):
        raise EngineUnavailable(f"{ENDPOINT_ENV}={override!r} is not a ws:// or wss:// URL; fix or unset it")
    # edge-tts appends "&ConnectionId=…" to the URL, so it must already carry a query string.
    return override if "?" in override else f"{override}?{_TOKEN_QUERY}"


def voice_list_url(wss_url: str) -> str:
    """The voice-list address that sits beside a websocket endpoint.

    >>> voice_list_url("ws://127.0.0.1:9/consumer/speech/synthesize/readaloud/edge/v1?T=1")
    'http://127.0.0.1:9/consumer/speech/synthesize/readaloud/voices/list?T=1'
    """
    path = urlsplit(wss_url).path.removesuffix("/").removesuffix("/edge/v1")
    return _http_url(wss_url, f"{path}/voices/list")


def _http_url(wss_url: str, path: str | None = None) -> str:
    """``wss_url`` with its http(s) scheme, and ``path`` in place of its own when given."""
    parts = urlsplit(wss_url)
    scheme = "https" if parts.scheme == "wss" else "http"
    return urlunsplit((scheme, parts.netloc, parts.path if path is None else path, parts.query, ""))


def _install_endpoint(wss_url: str) -> None:
    # edge-tts has no endpoint parameter: Communicate reads the module global WSS_URL at connect
    # time (patching edge_tts.constants has no effect, the modules hold their own copies).
    # setattr because neither name is exported (mypy --strict rejects a plain assignment).
    default = wss_url == edge_tts.constants.WSS_URL
    voice_list = edge_tts.constants.VOICE_LIST if default else voice_list_url(wss_url)
    setattr(edge_tts.communicate, "WSS_URL", wss_url)  # noqa: B010
    setattr(edge_tts.voices, "VOICE_LIST", voice_list)  # noqa: B010


class EdgeEngine:
    """Online synthesis with edge-tts; the service times every word (or sentence) it speaks.

    Words by default: they time the words of the JSON transcript, and the script's sentences are
    timed by their first word (``audiocast.timing``). A Chinese or Japanese word is what the
    service's own word breaker makes of the text, often one or two characters.
    """

    name = "edge"
    offline = False
    sample_rate = SAMPLE_RATE

    def __init__(self, *, boundary: BoundaryKind = "WordBoundary", connect_timeout: int = 10) -> None:
        self.boundary: BoundaryKind = boundary
        self.endpoint = endpoint_url()
        self.connect_timeout = connect_timeout

    @property
    def version(self) -> str:
        # The audio depends on the service, the format and the boundary kind, not on edge-tts's
        # minor releases (frequent 403 fixes), so only its major version enters cache keys.
        major = edge_tts.__version__.split(".")[0]
        return f"edge-tts {major} {OUTPUT_FORMAT} {self.boundary} {_CHECKED}"

    async def synthesize(self, text: str, voice: VoiceSpec) -> Clip:
        _install_endpoint(self.endpoint)
        try:
            communicate = edge_tts.Communicate(
                text,
                voice.name,
                rate=voice.rate,
                pitch=voice.pitch,
                volume=voice.volume,
                boundary=self.boundary,
                connect_timeout=self.connect_timeout,
            )
        except ValueError as exc:
            raise SynthError(f"{voice.name!r} is not an edge voice ({exc}); see: audiocast voices") from exc
        audio: list[bytes] = []
        boundaries: list[Boundary] = []
        with _translated_errors(self.endpoint, voice.name):
            async for chunk in communicate.stream():
                if chunk["type"] == "audio":
                    audio.append(chunk["data"])
                else:
                    boundaries.append(_boundary(chunk))
        _check_turns_ended(communicate, received=sum(map(len, audio)))
        return Clip(
            audio=b"".join(audio),
            format="mp3",
            sample_rate=SAMPLE_RATE,
            boundaries=tuple(boundaries),
            engine=self.name,
            voice=voice.name,
        )


def _check_turns_ended(communicate: edge_tts.Communicate, *, received: int) -> None:
    """Raise ``TransientSynthError`` unless every turn of ``communicate`` ended with ``turn.end``.

    When the service closes the socket mid-turn, edge-tts ends its stream as quietly as after
    ``turn.end`` and returns the audio so far (protocol notes §3.3, edge-tts #190). Only a turn that
    ended adds its audio to ``state["cumulative_audio_bytes"]`` (its public state, documented as
    "bytes received across all completed chunks", since edge-tts 7.2.8), so any audio missing
    from that count belongs to a turn that never ended.
    """
    completed = communicate.state["cumulative_audio_bytes"]
    if completed != received:
        raise TransientSynthError(
            "edge service closed the connection before the end of the turn "
            f"(after {received - completed} bytes of its audio)"
        )


def _boundary(chunk: TTSChunk) -> Boundary:
    """An edge-tts boundary chunk (100-ns ticks) as a millisecond ``Boundary``."""
    return Boundary(
        offset_ms=round(chunk["offset"]) // _TICKS_PER_MS,
        duration_ms=round(chunk["duration"]) // _TICKS_PER_MS,
        text=chunk["text"],
    )


class _ErrorTranslator:
    """Maps one edge-tts/aiohttp exception to the ``SynthError`` a user reads."""

    def __init__(self, endpoint: str, voice: str) -> None:
        self.host = urlsplit(endpoint).netloc
        self.voice = voice

    def translate(self, exc: BaseException) -> SynthError | None:
        if isinstance(exc, aiohttp.ClientResponseError):  # incl. WSServerHandshakeError
            return self.http_status(exc.status)
        if isinstance(exc, edge_errors.NoAudioReceived):
            return NoAudioError(f"edge voice {self.voice} returned no audio")
        if isinstance(exc, edge_errors.SkewAdjustmentError):
            return TransientSynthError(f"edge service refused the request (HTTP 403, {exc})")
        if isinstance(exc, aiohttp.ClientConnectorError):
            return TransientSynthError(f"cannot connect to the edge service at {self.host} ({exc.os_error})")
        if isinstance(exc, aiohttp.ClientConnectionError | edge_errors.WebSocketError | TimeoutError):
            return TransientSynthError(f"connection to the edge service failed ({type(exc).__name__}: {exc})")
        if isinstance(exc, edge_errors.EdgeTTSException):
            return SynthError(f"edge service sent an unexpected answer ({exc}); try: pip install -U edge-tts")
        return None

    def http_status(self, status: int) -> SynthError:
        if status == 403:
            return TransientSynthError(
                "edge service refused the request (HTTP 403); if it persists: pip install -U edge-tts"
            )
        if status == 429:
            return TransientSynthError("edge service is throttling requests (HTTP 429); try a lower --jobs")
        if status >= 500:
            return TransientSynthError(f"edge service is failing (HTTP {status})")
        return SynthError(
            f"edge service at {self.host} answered HTTP {status}; check {ENDPOINT_ENV} or upgrade edge-tts"
        )


@contextmanager
def _translated_errors(endpoint: str, voice: str) -> Iterator[None]:
    """The one boundary where edge-tts and aiohttp exceptions become ``SynthError``s."""
    try:
        yield
    except SynthError:
        raise
    except Exception as exc:
        mapped = _ErrorTranslator(endpoint, voice).translate(exc)
        if mapped is None:
            log.debug("unexpected edge-tts failure", exc_info=exc)
            mapped = SynthError(f"edge-tts failed unexpectedly ({type(exc).__name__}: {exc}); rerun with -v")
        raise mapped from exc


async def reachable(timeout: float = 3.0) -> bool:
    """Whether the edge endpoint answers at all within ``timeout`` seconds (any HTTP status counts).

    A plain GET on the websocket address, through the same proxy settings edge-tts uses; it costs
    the service no synthesis.
    """
    endpoint = endpoint_url()
    host = urlsplit(endpoint).netloc
    try:
        async with (
            asyncio.timeout(timeout),
            aiohttp.ClientSession(trust_env=True) as session,
            session.get(_http_url(endpoint), ssl=_SSL_CONTEXT, allow_redirects=False) as response,
        ):
            log.debug("edge endpoint %s answered HTTP %d", host, response.status)
            return True
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        log.debug("edge endpoint %s unreachable: %r", host, exc)
        return False


def is_reachable(timeout: float = 3.0) -> bool:
    """Synchronous :func:`reachable`, for callers outside an event loop (``make_engine("auto")``)."""
    return asyncio.run(reachable(timeout))


async def fetch_voices(timeout: float = 5.0) -> list[EdgeVoice]:
    """The service's live voice list; raises ``SynthError`` when it cannot be had."""
    endpoint = endpoint_url()
    _install_endpoint(endpoint)
    with _translated_errors(endpoint, voice=""):
        async with asyncio.timeout(timeout):
            entries = await edge_tts.list_voices()
    return [voice_entry(dict(entry)) for entry in entries]


def list_voices(timeout: float = 5.0) -> tuple[list[EdgeVoice], bool]:
    """The live voice list when the service answers, else the bundled snapshot; and whether live."""
    try:
        return asyncio.run(fetch_voices(timeout)), True
    except SynthError as exc:
        log.debug("live edge voice list unavailable: %s", exc)
        return snapshot_voices(), False

