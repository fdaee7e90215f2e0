"""Assemble clips into one episode: decode once, pause, level, encode once; return the timeline.

The only module that touches pydub and the ffmpeg binary (from ``imageio-ffmpeg``, which ships
no ffprobe, so nothing here may call pydub's ``mediainfo`` paths). Clips are joined as raw PCM
in one pass — pydub's ``+`` in a loop copies the whole episode per clip and grows quadratically.
"""

from __future__ import annotations

import io
import logging
import subprocess
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

from .errors import AssembleError
from .models import Clip, Cue, Placed, Script, Segment, Timeline

with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)  # pydub warns when ffmpeg is not on PATH
    from pydub import AudioSegment

log = logging.getLogger(__name__)

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
AudioSegment.converter = FFMPEG
TARGET_DBFS = -20.0
"""Speech level every clip is brought to, so narrator and aside voices sound equally loud."""
PEAK_CEILING_DBFS = -1.0
_SAMPLE_WIDTH = 2
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


def clip_duration_ms(clip: Clip) -> int:
    """How long a clip plays, decoding it (so truncated or corrupt audio is caught)."""
    return len(decode_clip(clip))


@dataclass(frozen=True)
class Mix:
    """The episode as raw mono 16-bit PCM, before encoding, with its timeline."""

    pcm: bytes
    sample_rate: int
    timeline: Timeline


def assemble(script: Script, clips: Sequence[Clip], destination: Path, *, bitrate: int = 64) -> Timeline:
    """Join ``clips`` with the script's pauses, encode once to MP3 at ``destination``, return the timeline."""
    mixed = mix(script, clips)
    encode_mp3(mixed.pcm, mixed.sample_rate, destination, bitrate=bitrate)
    return mixed.timeline


def mix(script: Script, clips: Sequence[Clip]) -> Mix:
    """Decode every clip once, level it, and lay all of them out with the script's pauses."""
    if len(clips) != len(script.segments):
        raise ValueError(f"{len(clips)} clips for {len(script.segments)} segments")
    decoded = [decode_clip(clip) for clip in clips]
    sample_rate = max(segment.frame_rate for segment in decoded)
    pcm, placed = _join(script.segments, [_level(audio, sample_rate) for audio in decoded], clips, sample_rate)
    duration_ms = _ms(len(pcm) // _SAMPLE_WIDTH, sample_rate)
    return Mix(pcm, sample_rate, Timeline(placed=tuple(placed), duration_ms=duration_ms))


def _level(audio: AudioSegment, sample_rate: int) -> AudioSegment:
    """Resample to the episode rate and bring speech to TARGET_DBFS without clipping peaks."""
    if audio.frame_rate != sample_rate:
        audio = audio.set_frame_rate(sample_rate)
    if audio.rms == 0:
        return audio
    gain = min(TARGET_DBFS - audio.dBFS, PEAK_CEILING_DBFS - audio.max_dBFS)
    return audio.apply_gain(gain)


def _join(
    segments: Sequence[Segment], audios: Sequence[AudioSegment], clips: Sequence[Clip], sample_rate: int
) -> tuple[bytes, list[Placed]]:
    """Concatenate PCM once, in order, with silences; note where every segment lands."""
    chunks: list[bytes] = []
    placed: list[Placed] = []
    position = 0  # in samples
    for segment, audio, clip in zip(segments, audios, clips, strict=True):
        data = audio.raw_data
        samples = len(data) // _SAMPLE_WIDTH
        start_ms, end_ms = _ms(position, sample_rate), _ms(position + samples, sample_rate)
        placed.append(Placed(segment, start_ms, end_ms, _cues(segment, clip, start_ms, end_ms)))
        pause = sample_rate * segment.pause_after_ms // 1000
        chunks.extend((data, b"\x00\x00" * pause))
        position += samples + pause
    return b"".join(chunks), placed


def _cues(segment: Segment, clip: Clip, start_ms: int, end_ms: int) -> tuple[Cue, ...]:
    """Sentence cues: timed by the engine where it reported boundaries, else spread by length."""
    if clip.boundaries:
        cues = []
        for boundary in clip.boundaries:
            begin = min(start_ms + boundary.offset_ms, end_ms)
            finish = min(start_ms + boundary.offset_ms + boundary.duration_ms, end_ms)
            if boundary.text.strip():
                cues.append(Cue(begin, max(begin, finish), boundary.text.strip()))
        return tuple(cues)
    return spread_cues(segment.sentences, start_ms, end_ms)


def spread_cues(sentences: Sequence[str], start_ms: int, end_ms: int) -> tuple[Cue, ...]:
    """Time sentences in proportion to their length when the engine gave no boundaries.

    >>> spread_cues(["ab", "cdef"], 0, 600)
    (Cue(start_ms=0, end_ms=200, text='ab'), Cue(start_ms=200, end_ms=600, text='cdef'))
    """
    total = sum(len(sentence) for sentence in sentences) or 1
    cues, consumed = [], 0
    for sentence in sentences:
        begin = start_ms + (end_ms - start_ms) * consumed // total
        consumed += len(sentence)
        cues.append(Cue(begin, start_ms + (end_ms - start_ms) * consumed // total, sentence))
    return tuple(cues)


def encode_mp3(pcm: bytes, sample_rate: int, destination: Path, *, bitrate: int) -> None:
    """Encode mono 16-bit PCM to constant-bitrate MP3 with no tags (mutagen writes those)."""
    resample = ["-ar", "44100"] if bitrate > _MAX_MPEG2_BITRATE and sample_rate < 32000 else []
    command = [
        FFMPEG, "-hide_banner", "-loglevel", "error", "-y",
        "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
        "-codec:a", "libmp3lame", "-b:a", f"{bitrate}k", "-ac", "1", *resample,
        "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3", str(destination),
    ]  # fmt: skip
    try:
        result = subprocess.run(command, input=pcm, capture_output=True, check=False)
    except OSError as exc:
        raise AssembleError(f"ffmpeg could not be started ({exc}); reinstall imageio-ffmpeg") from exc
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise AssembleError(f"{destination.name}: MP3 encoding failed: {message[-1] if message else 'ffmpeg error'}")


def _ms(samples: int, sample_rate: int) -> int:
    return samples * 1000 // sample_rate
