"""Assemble clips into one episode: decode once, pause, level, encode once; return the timeline.

The only module that touches pydub and the ffmpeg binary (from ``imageio-ffmpeg``, which ships
no ffprobe, so nothing here may call pydub's ``mediainfo`` paths). Clips are joined as raw PCM
in one pass — pydub's ``+`` in a loop copies the whole episode per clip and grows quadratically.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import subprocess
import tempfile
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

from .errors import AssembleError
from .models import Clip, Placed, Script, Timeline
from .timing import place

with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)  # pydub warns when ffmpeg is not on PATH
    from pydub import AudioSegment
    from pydub.generators import Sine

log = logging.getLogger(__name__)

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
AudioSegment.converter = FFMPEG
TARGET_DBFS = -20.0
"""Speech level every clip is brought to, so narrator and aside voices sound equally loud."""
PEAK_CEILING_DBFS = -1.0
_SAMPLE_WIDTH = 2
EARCON_NOTES = ((660.0, 120), (880.0, 150))
"""The tone that marks an aside when the profile has no lead-in words: two soft rising notes
(frequency in Hz, length in ms), a fourth apart, 30 ms between them."""
EARCON_DBFS = -30.0
"""Peak level of the notes: about 13 dB below speech (TARGET_DBFS is speech's average level)."""
EARCON_GAP_MS = 30
EARCON_LEAD_MS = 200
"""Silence between the tone and the voice it announces."""
_MAX_MPEG2_BITRATE = 160  # kbps; MPEG-2 layer III (22.05/24 kHz) allows no more


def decode_clip(clip: Clip) -> AudioSegment:
    """A clip as mono 16-bit PCM; raises AssembleError when its audio does not decode."""
    if clip.format == "pcm_s16le":
        return AudioSegment(data=clip.audio, sample_width=_SAMPLE_WIDTH, frame_rate=clip.sample_rate, channels=1)
    try:
        decoded = AudioSegment.from_file(io.BytesIO(clip.audio), format="mp3", codec="mp3")
    except Exception as exc:  # pydub raises CouldntDecodeError or bare exceptions from ffmpeg
        log.debug("decode failed", exc_info=True)
        raise AssembleError(f"clip from {clip.engine or 'engine'} voice {clip.voice!r} does not decode") from exc
    return decoded.set_channels(1).set_sample_width(_SAMPLE_WIDTH)


@dataclass(frozen=True)
class Mix:
    """The episode as raw mono 16-bit PCM chunks in playing order, before encoding, with its timeline.

    Chunks are never joined: the encoder reads them one by one, so a long episode is held once.
    """

    chunks: tuple[bytes, ...]
    sample_rate: int
    timeline: Timeline


def assemble(script: Script, clips: Sequence[Clip], destination: Path, *, bitrate: int = 64) -> Timeline:
    """Join ``clips`` with the script's pauses, encode once to MP3 at ``destination``, return the timeline."""
    mixed = mix(script, clips)
    encode_mp3(mixed.chunks, mixed.sample_rate, destination, bitrate=bitrate)
    return mixed.timeline


def mix(script: Script, clips: Sequence[Clip]) -> Mix:
    """Decode every clip once, level it, and lay all of them out with the script's pauses."""
    if len(clips) != len(script.segments):
        raise ValueError(f"{len(clips)} clips for {len(script.segments)} segments")
    sample_rate = max(clip.sample_rate for clip in clips)
    chunks: list[bytes] = []
    placed: list[Placed] = []
    position = 0  # in samples
    for segment, clip in zip(script.segments, clips, strict=True):
        if segment.earcon:  # heard in the gap before the segment, so cues keep starting at the voice
            tone = earcon(sample_rate)
            chunks.append(tone)
            position += len(tone) // _SAMPLE_WIDTH
        data = _level(decode_clip(clip), sample_rate).raw_data
        samples = len(data) // _SAMPLE_WIDTH
        start_ms, end_ms = _ms(position, sample_rate), _ms(position + samples, sample_rate)
        placed.append(place(segment, clip, start_ms, end_ms))
        pause = sample_rate * segment.pause_after_ms // 1000
        chunks += [data, b"\x00\x00" * pause]
        position += samples + pause
    timeline = Timeline(placed=tuple(placed), duration_ms=_ms(position, sample_rate))
    return Mix(tuple(chunks), sample_rate, timeline)


@functools.cache
def earcon(sample_rate: int) -> bytes:
    """The aside tone as mono 16-bit PCM, the same bytes on every run: the notes with soft edges,
    then the lead-in silence.

    >>> round(len(earcon(22050)) / 2 / 22050, 2)  # seconds: the notes, the gap between them, the lead-in
    0.5
    """
    tone = AudioSegment.empty().set_frame_rate(sample_rate)
    for index, (frequency, length_ms) in enumerate(EARCON_NOTES):
        if index:
            tone += AudioSegment.silent(EARCON_GAP_MS, frame_rate=sample_rate)
        note = Sine(frequency, sample_rate=sample_rate).to_audio_segment(length_ms, volume=EARCON_DBFS)
        tone += note.fade_in(15).fade_out(length_ms // 2)
    tone += AudioSegment.silent(EARCON_LEAD_MS, frame_rate=sample_rate)
    return bytes(tone.set_channels(1).set_sample_width(_SAMPLE_WIDTH).raw_data)


def _level(audio: AudioSegment, sample_rate: int) -> AudioSegment:
    """Resample to the episode rate and bring speech to TARGET_DBFS without clipping peaks."""
    if audio.frame_rate != sample_rate:
        audio = audio.set_frame_rate(sample_rate)
    if audio.rms == 0:
        return audio
    gain = min(TARGET_DBFS - audio.dBFS, PEAK_CEILING_DBFS - audio.max_dBFS)
    return audio.apply_gain(gain)


def encode_mp3(chunks: Iterable[bytes], sample_rate: int, destination: Path, *, bitrate: int) -> None:
    """Encode mono 16-bit PCM chunks to constant-bitrate MP3 with no tags (mutagen writes those)."""
    resample = ["-ar", "44100"] if bitrate > _MAX_MPEG2_BITRATE and sample_rate < 32000 else []
    command = [
        FFMPEG, "-hide_banner", "-loglevel", "error", "-y",
        "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
        "-codec:a", "libmp3lame", "-b:a", f"{bitrate}k", "-ac", "1", *resample,
        "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3", str(destination),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: ffmpeg can never block on it
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)
        except OSError as exc:
            raise AssembleError(f"ffmpeg could not be started ({exc}); reinstall imageio-ffmpeg") from exc
        _feed(process, chunks)
        if process.wait() != 0:
            errors.seek(0)
            lines = errors.read().decode(errors="replace").strip().splitlines()
            raise AssembleError(f"{destination.name}: MP3 encoding failed: {lines[-1] if lines else 'ffmpeg error'}")


def _feed(process: subprocess.Popen[bytes], chunks: Iterable[bytes]) -> None:
    """Write every chunk to the encoder; if it exits early, its exit status tells why."""
    assert process.stdin is not None
    try:
        with contextlib.suppress(BrokenPipeError):
            for chunk in chunks:
                process.stdin.write(chunk)
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
    except BaseException:  # Ctrl-C or SIGTERM mid-encode: do not leave ffmpeg running
        process.kill()
        process.wait()
        raise


def _ms(samples: int, sample_rate: int) -> int:
    return samples * 1000 // sample_rate
