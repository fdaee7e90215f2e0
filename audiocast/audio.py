"""Assemble clips into one episode: decode once, pause, level, encode once; return the timeline.

The only module that touches pydub and the ffmpeg binary (from ``imageio-ffmpeg``, which ships
no ffprobe, so nothing here may call pydub's ``mediainfo`` paths). Clips are joined as raw PCM
in one pass — pydub's ``+`` in a loop copies the whole episode per clip and grows quadratically.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import io
import logging
import queue
import signal
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import imageio_ffmpeg

from .errors import AssembleError
from .loudness import DEFAULT_LOUDNESS_LUFS, normalise
from .models import Boundary, Clip, Cue, Placed, Script, Segment, Timeline

with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)  # pydub warns when ffmpeg is not on PATH
    from pydub import AudioSegment
    from pydub.generators import Sine

log = logging.getLogger(__name__)

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
AudioSegment.converter = FFMPEG
_SAMPLE_WIDTH = 2
EARCON_NOTES = ((660.0, 120), (880.0, 150))
"""The tone that marks an aside when the profile has no lead-in words: two soft rising notes
(frequency in Hz, length in ms), a fourth apart, 30 ms between them."""
EARCON_BELOW_SPEECH_DB = 14.0
"""Peak level of the notes below the episode's loudness target: about 17 LU quieter than speech."""
EARCON_GAP_MS = 30
EARCON_LEAD_MS = 200
"""Silence between the tone and the voice it announces."""
_QUEUED_CHUNKS = 8  # levelled clips waiting for the encoder: a few seconds of audio each
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
    """The episode before encoding, with its timeline: raw mono 16-bit PCM pieces in playing order
    (each voice clip as decoded, flagged True; the pauses and tones between them), and the loudness
    every voice clip is brought to.

    Pieces are never joined: the encoder reads them one by one, so a long episode is held once.
    """

    pieces: tuple[tuple[bytes, bool], ...]
    sample_rate: int
    loudness: float
    timeline: Timeline

    @property
    def chunks(self) -> Iterator[bytes]:
        """The PCM in playing order, each voice clip levelled (loudness.py) only when it is reached:
        levelling a clip overlaps the encoder's work on the ones before it."""
        for pcm, voice in self.pieces:
            yield normalise(pcm, self.sample_rate, self.loudness) if voice else pcm


def assemble(
    script: Script,
    clips: Sequence[Clip],
    destination: Path,
    *,
    bitrate: int = 64,
    loudness: float = DEFAULT_LOUDNESS_LUFS,
) -> Timeline:
    """Join ``clips`` with the script's pauses, every clip at ``loudness`` LUFS, encode once to MP3
    at ``destination``, return the timeline."""
    mixed = mix(script, clips, loudness=loudness)
    encode_mp3(mixed.chunks, mixed.sample_rate, destination, bitrate=bitrate)
    return mixed.timeline


def mix(script: Script, clips: Sequence[Clip], *, loudness: float = DEFAULT_LOUDNESS_LUFS) -> Mix:
    """Decode every clip once and lay all of them out with the script's pauses, to be brought to
    ``loudness`` LUFS as they are encoded (``Mix.chunks``)."""
    if len(clips) != len(script.segments):
        raise ValueError(f"{len(clips)} clips for {len(script.segments)} segments")
    sample_rate = max(clip.sample_rate for clip in clips)
    pieces: list[tuple[bytes, bool]] = []
    placed: list[Placed] = []
    position = 0  # in samples
    for segment, clip in zip(script.segments, clips, strict=True):
        if segment.earcon:  # heard in the gap before the segment, so cues keep starting at the voice
            tone = earcon(sample_rate, loudness)
            pieces.append((tone, False))
            position += len(tone) // _SAMPLE_WIDTH
        data = _resampled(decode_clip(clip), sample_rate).raw_data
        samples = len(data) // _SAMPLE_WIDTH
        start_ms, end_ms = _ms(position, sample_rate), _ms(position + samples, sample_rate)
        placed.append(Placed(segment, start_ms, end_ms, _cues(segment, clip, start_ms, end_ms)))
        pause = sample_rate * segment.pause_after_ms // 1000
        pieces += [(data, True), (b"\x00\x00" * pause, False)]
        position += samples + pause
    timeline = Timeline(placed=tuple(placed), duration_ms=_ms(position, sample_rate))
    return Mix(tuple(pieces), sample_rate, loudness, timeline)


@functools.cache
def earcon(sample_rate: int, loudness: float = DEFAULT_LOUDNESS_LUFS) -> bytes:
    """The aside tone as mono 16-bit PCM, the same bytes on every run: the notes with soft edges,
    then the lead-in silence.

    >>> round(len(earcon(22050)) / 2 / 22050, 2)  # seconds: the notes, the gap between them, the lead-in
    0.5
    """
    tone = AudioSegment.empty().set_frame_rate(sample_rate)
    peak_dbfs = loudness - EARCON_BELOW_SPEECH_DB
    for index, (frequency, length_ms) in enumerate(EARCON_NOTES):
        if index:
            tone += AudioSegment.silent(EARCON_GAP_MS, frame_rate=sample_rate)
        note = Sine(frequency, sample_rate=sample_rate).to_audio_segment(length_ms, volume=peak_dbfs)
        tone += note.fade_in(15).fade_out(length_ms // 2)
    tone += AudioSegment.silent(EARCON_LEAD_MS, frame_rate=sample_rate)
    return bytes(tone.set_channels(1).set_sample_width(_SAMPLE_WIDTH).raw_data)


def _resampled(audio: AudioSegment, sample_rate: int) -> AudioSegment:
    return audio if audio.frame_rate == sample_rate else audio.set_frame_rate(sample_rate)


def _cues(segment: Segment, clip: Clip, start_ms: int, end_ms: int) -> tuple[Cue, ...]:
    """The script's sentences as cues, timed by the engine's boundaries where it reported them.

    The engine's own sentence split is not used for the text: espeak, for one, ends a sentence
    after "Mr." or "Dr.". Its boundaries only say *when* each stretch of characters is heard.
    """
    if not clip.boundaries:
        return spread_cues(segment.sentences, start_ms, end_ms)
    marks = _character_times(clip.boundaries)
    starts, consumed = [], 0
    for sentence in segment.sentences:
        starts.append(min(start_ms + _time_at(consumed, marks), end_ms))
        consumed += _letters(sentence)
    ends = [*starts[1:], end_ms]
    timed = zip(starts, ends, segment.sentences, strict=True)
    return tuple(Cue(begin, max(begin, finish), sentence) for begin, finish, sentence in timed)


def _letters(text: str) -> int:
    return sum(1 for char in text if not char.isspace())


def _character_times(boundaries: Sequence[Boundary]) -> list[tuple[int, int, int, int]]:
    """(first character, last character, start ms, end ms) of each boundary, counting non-space characters."""
    marks, position = [], 0
    for boundary in boundaries:
        length = _letters(boundary.text)
        marks.append((position, position + length, boundary.offset_ms, boundary.offset_ms + boundary.duration_ms))
        position += length
    return marks


def _time_at(character: int, marks: Sequence[tuple[int, int, int, int]]) -> int:
    """When the ``character``-th non-space character is heard, interpolated inside its boundary.

    >>> _time_at(5, [(0, 4, 0, 400), (4, 14, 500, 1500)])
    600
    """
    found = bisect.bisect_right(marks, character, key=lambda mark: mark[1])  # the first mark ending after it
    if found == len(marks):
        return marks[-1][3] if marks else 0
    first, last, start, end = marks[found]
    share = (character - first) / max(1, last - first)
    return start + round(max(0.0, share) * (end - start))


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
        process: subprocess.Popen[bytes] | None = None
        try:
            with _stops_held():
                process = _start(command, errors)
            _feed(process, chunks)
            status = process.wait()
        except BaseException:  # Ctrl-C or SIGTERM mid-encode, or a chunk that failed: do not leave ffmpeg running
            if process is not None:
                process.kill()
                process.wait()
            raise
        if status != 0:
            errors.seek(0)
            lines = errors.read().decode(errors="replace").strip().splitlines()
            raise AssembleError(f"{destination.name}: MP3 encoding failed: {lines[-1] if lines else 'ffmpeg error'}")


def _start(command: list[str], errors: IO[bytes]) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)
    except OSError as exc:
        raise AssembleError(f"ffmpeg could not be started ({exc}); reinstall imageio-ffmpeg") from exc


@contextlib.contextmanager
def _stops_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM inside the block and deliver them after it (main thread only: only
    it may set handlers). Stopped inside ``Popen``, we would never learn ffmpeg's process: it would
    outlive us, read the end of its input when we exit, and write its MP3 after the temporary file
    was cleaned up."""
    held: list[int] = []
    stops = (signal.SIGINT, signal.SIGTERM) if threading.current_thread() is threading.main_thread() else ()
    previous = {stop: signal.signal(stop, lambda number, _: held.append(number)) for stop in stops}
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)
        for number in held:
            signal.raise_signal(number)


def _feed(process: subprocess.Popen[bytes], chunks: Iterable[bytes]) -> None:
    """Write every chunk to the encoder from a thread of its own, so that making the next chunk
    (levelling a clip) runs while ffmpeg encodes the last; if ffmpeg exits early, its exit status
    tells why."""
    assert process.stdin is not None
    queued: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUED_CHUNKS)
    writer = threading.Thread(target=_write_all, args=(process.stdin, queued), daemon=True)
    try:
        writer.start()  # inside the try: starting waits, and a SIGTERM can land there too
        for chunk in chunks:
            queued.put(chunk)
        queued.put(None)
        writer.join()
    except BaseException:
        process.kill()  # so that the writer stops writing: it drains the queue up to the first end
        queued.put(None)  # mark even once ffmpeg is gone, so this never blocks; a second mark is never read
        with contextlib.suppress(RuntimeError):  # stopped before the writer started
            writer.join()
        raise


def _write_all(stdin: IO[bytes], queued: queue.Queue[bytes | None]) -> None:
    open_ = True
    for chunk in iter(queued.get, None):
        if open_:
            try:
                stdin.write(chunk)
            except (BrokenPipeError, ValueError):  # ffmpeg exited (or was killed and its pipe closed)
                open_ = False
    with contextlib.suppress(BrokenPipeError):
        stdin.close()


def _ms(samples: int, sample_rate: int) -> int:
    return samples * 1000 // sample_rate
