"""The edge engine, driven by the real edge-tts client against the fake service on 127.0.0.1.

One request per test unless the scenario says otherwise; retries are not the engine's job (see
test_synth.py), so these tests pin what one attempt returns or raises.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import edge_tts
import pytest
from aiohttp.client_reqrep import ConnectionKey

from audiocast.audio import decode_clip
from audiocast.engines import make_engine, voice_catalog
from audiocast.engines.base import VoiceSpec
from audiocast.engines.edge import ENDPOINT_ENV, EdgeEngine, _translated_errors, is_reachable
from audiocast.engines.espeak import EspeakEngine
from audiocast.errors import EngineUnavailable, NoAudioError, SynthError, TransientSynthError
from audiocast.models import Boundary, Clip
from audiocast.synth import cannot_connect
from tests.conftest import EXAMPLE
from tests.fake_edge import LEAD_IN_MS, FakeEdge, fake_edge, speech_ms

__all__ = ["fake_edge"]  # the fixture, used by name

XIAOXIAO = VoiceSpec("zh-CN-XiaoxiaoNeural")
ARIA = VoiceSpec("en-US-AriaNeural")


def speak(text: str, voice: VoiceSpec = ARIA, engine: EdgeEngine | None = None) -> Clip:
    return asyncio.run(asyncio.wait_for((engine or EdgeEngine()).synthesize(text, voice), 10))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_segment_becomes_one_mp3_clip_with_sentence_times(fake_edge: FakeEdge) -> None:
    text = "美国国务卿布林肯周一表示。北约盟国将举行会议！"
    voice = VoiceSpec("zh-CN-XiaoxiaoNeural", rate="+10%", pitch="-5Hz", volume="+20%")
    clip = speak(text, voice, EdgeEngine(boundary="SentenceBoundary"))

    assert (clip.format, clip.sample_rate, clip.engine, clip.voice) == ("mp3", 24000, "edge", XIAOXIAO.name)
    first, second = "美国国务卿布林肯周一表示。", "北约盟国将举行会议！"
    assert clip.boundaries == (
        Boundary(LEAD_IN_MS, speech_ms(first, "+10%"), first),
        Boundary(LEAD_IN_MS + speech_ms(first, "+10%"), speech_ms(second, "+10%"), second),
    )
    assert abs(len(decode_clip(clip)) - (LEAD_IN_MS + speech_ms(text, "+10%") + 300)) <= 30
    [turn] = fake_edge.turns
    assert (turn.voice, turn.text, turn.rate, turn.pitch, turn.volume) == (XIAOXIAO.name, text, "+10%", "-5Hz", "+20%")
    assert not turn.word_boundaries


def test_word_boundaries_by_default(fake_edge: FakeEdge) -> None:
    clip = speak("Allies meet in Brussels.")

    assert [b.text for b in clip.boundaries] == ["Allies", "meet", "in", "Brussels"]
    assert fake_edge.turns[0].word_boundaries
    assert EdgeEngine(boundary="SentenceBoundary").version != EdgeEngine().version  # separate cache entries


def test_markup_characters_are_spoken_as_text(fake_edge: FakeEdge) -> None:
    text = 'AT&T said <no> to "R&D" cuts.'
    clip = speak(text, engine=EdgeEngine(boundary="SentenceBoundary"))  # the service's own text back

    assert fake_edge.turns[0].text == text
    assert clip.boundaries[0].text == text


def test_the_override_may_omit_the_query_string(fake_edge: FakeEdge, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, fake_edge.wss_url.split("?")[0])

    assert speak("Hello.").audio
    assert len(fake_edge.turns) == 1


def test_an_override_that_is_not_a_websocket_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, "http://127.0.0.1:9/edge/v1")

    with pytest.raises(EngineUnavailable, match=f"{ENDPOINT_ENV}=.*not a ws:// or wss:// URL"):
        EdgeEngine()


def test_one_403_is_absorbed_by_edge_tts_clock_skew_retry(fake_edge: FakeEdge) -> None:
    fake_edge.script("403")

    assert speak("Hello.").audio
    assert fake_edge.handshakes == 2


@pytest.mark.parametrize(
    ("script", "error", "message", "handshakes"),
    [
        (("403", "403"), TransientSynthError, r"refused the request \(HTTP 403\)", 2),
        (("429",), TransientSynthError, r"throttling requests \(HTTP 429\); try a lower --jobs", 1),
        (("503",), TransientSynthError, r"failing \(HTTP 503\)", 1),
        (("no_audio",), NoAudioError, "edge voice en-US-AriaNeural returned no audio", 1),
        (("404",), SynthError, f"answered HTTP 404; check {ENDPOINT_ENV}", 1),
    ],
)
def test_service_failures_become_one_audiocast_error(
    fake_edge: FakeEdge, script: tuple[str, ...], error: type[SynthError], message: str, handshakes: int
) -> None:
    fake_edge.script(*script)

    with pytest.raises(error, match=message) as raised:
        speak("Hello.")

    assert type(raised.value) is error  # a 404 must not look retryable
    assert fake_edge.handshakes == handshakes


def test_a_refused_connection_is_transient_and_marked_as_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{closed_port()}/edge/v1")

    with pytest.raises(TransientSynthError, match=r"cannot connect to the edge service at 127\.0\.0\.1") as raised:
        speak("Hello.")

    assert cannot_connect(raised.value)  # what the synth wrapper's circuit breaker counts


def test_an_unknown_host_is_marked_as_unreachable() -> None:
    """aiohttp's threaded resolver chains the resolver's gaierror; no DNS query is made here."""
    key = ConnectionKey("speech.example.invalid", 443, True, True, None, None, None)
    unknown = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    endpoint = "wss://speech.example.invalid/edge/v1?T=1"

    expected = r"at speech\.example\.invalid \(\[Errno -2\] Name or service not known\)$"
    with pytest.raises(TransientSynthError, match=expected) as raised, _translated_errors(endpoint, "en-US-AriaNeural"):
        raise aiohttp.ClientConnectorDNSError(key, unknown) from unknown

    assert cannot_connect(raised.value)


def test_an_error_status_is_not_taken_for_an_unreachable_service(fake_edge: FakeEdge) -> None:
    fake_edge.script("503")

    with pytest.raises(TransientSynthError) as raised:
        speak("Hello.")

    assert not cannot_connect(raised.value)


def test_a_voice_name_edge_cannot_use_fails_before_any_request(fake_edge: FakeEdge) -> None:
    with pytest.raises(SynthError, match=r"'cmn' is not an edge voice.*see: audiocast voices") as raised:
        speak("你好。", VoiceSpec("cmn"))

    assert not isinstance(raised.value, TransientSynthError)
    assert fake_edge.handshakes == 0


@pytest.mark.parametrize("boundary", ["SentenceBoundary", "WordBoundary"])
def test_a_server_that_closes_before_turn_end_is_a_transient_error(fake_edge: FakeEdge, boundary: str) -> None:
    """edge-tts returns the audio so far without complaint (protocol §3.3); the engine notices."""
    text = "A sentence long enough to be streamed in several binary audio messages. " * 3
    fake_edge.script("truncate")
    engine = EdgeEngine(boundary="WordBoundary" if boundary == "WordBoundary" else "SentenceBoundary")

    with pytest.raises(TransientSynthError) as raised:
        speak(text, engine=engine)

    assert str(raised.value).startswith("edge service closed the connection before the end of the turn (")
    assert not cannot_connect(raised.value)
    assert [turn.action for turn in fake_edge.turns] == ["truncate"]


def test_the_fake_interleaves_metadata_and_a_cut_turn_describes_only_what_it_spoke(
    fake_edge: FakeEdge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the engine meets when a turn is cut: word timings for the first third, none after."""
    text = "Allies meet in Brussels on Tuesday to discuss support for Ukraine and the war."
    monkeypatch.setattr("edge_tts.communicate.WSS_URL", fake_edge.wss_url)
    fake_edge.script("ok", "truncate")

    async def stream() -> list[str]:
        communicate = edge_tts.Communicate(text, ARIA.name, boundary="WordBoundary")
        return [chunk.get("text", "audio") async for chunk in communicate.stream()]

    whole, cut = (asyncio.run(asyncio.wait_for(stream(), 10)) for _ in range(2))

    words = text.replace(".", "").split()
    assert [item for item in whole if item != "audio"] == words
    assert whole.index("Ukraine") > whole.index("audio")  # later words arrive after earlier audio
    cut_words = [item for item in cut if item != "audio"]
    assert 1 < len(cut_words) < len(words) / 2 and cut_words == words[: len(cut_words)]


def test_reachability_check_is_one_plain_request(fake_edge: FakeEdge) -> None:
    assert is_reachable(timeout=2)
    assert (fake_edge.probes, fake_edge.handshakes) == (1, 0)


def test_an_unreachable_endpoint_is_reported_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{closed_port()}/edge/v1")
    started = time.monotonic()

    assert not is_reachable(timeout=2)
    assert time.monotonic() - started < 1


def test_auto_picks_edge_when_the_service_answers(fake_edge: FakeEdge) -> None:
    assert make_engine("auto").name == "edge"


def test_auto_reads_offline_with_one_warning_when_unreachable(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{closed_port()}/edge/v1")

    with caplog.at_level(logging.WARNING):
        engine = make_engine("auto")

    assert isinstance(engine, EspeakEngine)
    [warning] = [r.getMessage() for r in caplog.records if r.name.startswith("audiocast")]
    assert warning.startswith("the online voices (127.0.0.1:") and "reading with the offline voice (espeak) instead" in warning


def test_voice_catalog_uses_the_live_list_and_flags_profile_voices_it_lacks(fake_edge: FakeEdge) -> None:
    fake_edge.voices = [
        {"Name": "x", "ShortName": "zh-CN-XiaoxiaoNeural", "Gender": "Female", "Locale": "zh-CN",
         "VoiceTag": {"ContentCategories": ["News"], "VoicePersonalities": ["Warm"]}},
        {"Name": "y", "ShortName": "en-US-AvaNeural", "Gender": "Female", "Locale": "en-US"},
    ]  # fmt: skip

    catalog = voice_catalog("zh-CN", timeout=2)

    assert catalog.live and fake_edge.voice_lists == 1
    online = {entry.name: entry for entry in catalog.entries if entry.engine == "edge"}
    assert online["zh-CN-XiaoxiaoNeural"].used_by == ("zh-CN narrator",)
    assert online["zh-CN-XiaoxiaoNeural"].description == "News, Warm"
    assert not online["zh-CN-YunxiNeural"].available  # the zh-CN aside voice is missing from this list
    assert "en-US-AvaNeural" not in online
    assert any(entry.name == "cmn" and entry.engine == "espeak" for entry in catalog.entries)


def test_voice_catalog_falls_back_to_the_bundled_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{closed_port()}/edge/v1")

    catalog = voice_catalog("zh", timeout=2)

    assert not catalog.live
    names = {entry.name for entry in catalog.entries if entry.engine == "edge" and entry.available}
    assert {"zh-CN-XiaoxiaoNeural", "zh-CN-YunxiNeural", "zh-CN-YunyangNeural", "zh-TW-HsiaoChenNeural"} <= names
    assert all(entry.available for entry in catalog.entries)  # every bundled profile voice is in the snapshot


def test_voices_command_from_the_shell_reads_the_endpoint_override(fake_edge: FakeEdge) -> None:
    result = subprocess.run(
        [Path(sys.executable).with_name("audiocast"), "voices", "--language", "zh"],  # the console script
        capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"}, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Online voices (edge, live list):")
    assert "* zh-CN-XiaoxiaoNeural" in result.stdout and "[zh-CN narrator]" in result.stdout
    assert "* cmn" in result.stdout
    assert fake_edge.voice_lists == 1


def test_auto_from_the_shell_reads_offline_with_one_warning_line(tmp_path: Path) -> None:
    mp3 = tmp_path / "offline.mp3"
    environment = {**os.environ, ENDPOINT_ENV: f"ws://127.0.0.1:{closed_port()}/edge/v1", "PYTHONWARNINGS": "ignore"}
    command: list[str | Path] = [
        Path(sys.executable).with_name("audiocast"),
        "-q",
        "episode",
        EXAMPLE,
        "-o",
        mp3,
        "--no-cache",
    ]
    result = subprocess.run(
        [*command, "--no-fetch-cover"], capture_output=True, text=True, env=environment, timeout=120, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"warning: the online voices (127.0.0.1:{environment[ENDPOINT_ENV].split(':')[2].split('/')[0]}) cannot "
        "be reached; reading with the offline voice (espeak) instead"
    ]
    assert mp3.stat().st_size > 100_000
