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
import queue
import signal
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import imageio_ffmpeg

from .errors import AssembleError, ReadError
from .loudness import DEFAULT_LOUDNESS_LUFS, normalise
from .models import Clip, Placed, Script, Segment, Timeline
from .timing import place

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
SHOW_SOUND_MAX_S = 60
"""The longest intro or outro accepted: a show's sound is a sting or a short theme, not a programme."""
SHOW_SOUND_GAP_MS = 500
"""Silence between the intro and the title, and before the outro (after the last pause)."""
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
        """The PCM in playing order, each voice clip levelled (loudness.py) only when it is reached."""
        return _levelled(self.pieces, self.sample_rate, self.loudness)


ClipArrived = Callable[[int, Clip], None]
"""Hands the mixer the clip of one segment (by index), in any order and from any thread."""


class Mixer:
    """Lays out an episode from clips that arrive in any order while it is being encoded.

    Clips come in through ``add`` (from synthesis, as each is made) and wait in a reorder buffer
    until every segment before theirs is placed; ``pieces`` yields the episode in playing order as
    soon as it can and builds the timeline as it goes. ``close`` says no more clips will come: after
    a failure, ``pieces`` then stops early (and the encode is thrown away).

    The show's sound (``intro`` and ``outro``, PCM at ``sample_rate``; empty for none) opens and
    closes the episode, levelled like the voice; the timeline starts the title after the intro.
    """

    def __init__(
        self, script: Script, sample_rate: int, *, loudness: float, intro: bytes = b"", outro: bytes = b""
    ) -> None:
        self.script = script
        self.sample_rate = sample_rate
        self.loudness = loudness
        self.intro = intro
        self.outro = outro
        self._arrived: queue.Queue[tuple[int, Clip] | None] = queue.Queue()
        self._placed: list[Placed] = []
        self._position = 0  # in samples
        self._complete = False

    def add(self, index: int, clip: Clip) -> None:
        self._arrived.put((index, clip))

    def close(self) -> None:
        self._arrived.put(None)

    def pieces(self) -> Iterator[tuple[bytes, bool]]:
        """The episode's PCM in playing order, each piece flagged True when it is a voice clip."""
        waiting: dict[int, Clip] = {}
        if self.intro:
            yield self._advance(self.intro, voice=True)
            yield self._silence(SHOW_SOUND_GAP_MS)
        for index, segment in enumerate(self.script.segments):
            while index not in waiting:
                arrived = self._arrived.get()
                if arrived is None:
                    return
                waiting[arrived[0]] = arrived[1]
            yield from self._place(segment, waiting.pop(index))
        if self.outro:
            yield self._silence(SHOW_SOUND_GAP_MS)
            yield self._advance(self.outro, voice=True)
        self._complete = True

    def chunks(self) -> Iterator[bytes]:
        """``pieces`` with every voice clip levelled to the loudness target as it is reached."""
        return _levelled(self.pieces(), self.sample_rate, self.loudness)

    @property
    def timeline(self) -> Timeline:
        if not self._complete:
            raise AssembleError("the episode was not finished: clips are missing")
        return Timeline(placed=tuple(self._placed), duration_ms=_ms(self._position, self.sample_rate))

    def _place(self, segment: Segment, clip: Clip) -> Iterator[tuple[bytes, bool]]:
        if segment.earcon:  # heard in the gap before the segment, so cues keep starting at the voice
            yield self._advance(earcon(self.sample_rate, self.loudness), voice=False)
        data = _resampled(decode_clip(clip), self.sample_rate).raw_data
        start_ms = _ms(self._position, self.sample_rate)
        yield self._advance(data, voice=True)
        end_ms = _ms(self._position, self.sample_rate)
        self._placed.append(place(segment, clip, start_ms, end_ms))
        yield self._silence(segment.pause_after_ms)

    def _silence(self, milliseconds: int) -> tuple[bytes, bool]:
        return self._advance(b"\x00\x00" * (self.sample_rate * milliseconds // 1000), voice=False)

    def _advance(self, pcm: bytes, *, voice: bool) -> tuple[bytes, bool]:
        self._position += len(pcm) // _SAMPLE_WIDTH
        return pcm, voice


def _levelled(pieces: Iterable[tuple[bytes, bool]], sample_rate: int, loudness: float) -> Iterator[bytes]:
    for pcm, voice in pieces:
        yield normalise(pcm, sample_rate, loudness) if voice else pcm


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

    def hand_over(add: ClipArrived) -> None:
        for index, clip in enumerate(clips):
            add(index, clip)

    _check_count(script, clips)
    return assemble_as_made(script, _highest_rate(clips), destination, hand_over, bitrate=bitrate, loudness=loudness)


def assemble_as_made(
    script: Script,
    sample_rate: int,
    destination: Path,
    make_clips: Callable[[ClipArrived], object],
    *,
    bitrate: int = 64,
    loudness: float = DEFAULT_LOUDNESS_LUFS,
    intro: bytes = b"",
    outro: bytes = b"",
) -> Timeline:
    """Encode the episode at ``destination`` while its clips are being made: ``make_clips`` is
    called here and hands each clip over as it is ready, while the clips already in order are
    levelled and encoded by other threads (and ffmpeg on another core). Every clip is resampled to
    ``sample_rate``; ``intro`` and ``outro`` are the show's sound (``Mixer``). A failure of
    ``make_clips`` or of the encode stops both; the file left at ``destination`` is then to be
    thrown away."""
    mixer = Mixer(script, sample_rate, loudness=loudness, intro=intro, outro=outro)

    def make_then_close() -> None:
        make_clips(mixer.add)
        mixer.close()

    encode_mp3(
        mixer.chunks(), sample_rate, destination, bitrate=bitrate, meanwhile=make_then_close, abandon=mixer.close
    )
    return mixer.timeline


def mix(script: Script, clips: Sequence[Clip], *, loudness: float = DEFAULT_LOUDNESS_LUFS) -> Mix:
    """Decode every clip once and lay all of them out with the script's pauses, to be brought to
    ``loudness`` LUFS as they are encoded (``Mix.chunks``)."""
    _check_count(script, clips)
    mixer = Mixer(script, _highest_rate(clips), loudness=loudness)
    for index, clip in enumerate(clips):
        mixer.add(index, clip)
    pieces = tuple(mixer.pieces())
    return Mix(pieces, mixer.sample_rate, loudness, mixer.timeline)


def _check_count(script: Script, clips: Sequence[Clip]) -> None:
    if len(clips) != len(script.segments):
        raise ValueError(f"{len(clips)} clips for {len(script.segments)} segments")


def _highest_rate(clips: Sequence[Clip]) -> int:
    return max(clip.sample_rate for clip in clips)


def show_sound(path: Path, sample_rate: int) -> bytes:
    """The audio file at ``path`` (any format ffmpeg reads) as mono 16-bit PCM at ``sample_rate``;
    raises ReadError, naming the file, when it is missing, is not audio, is silent or lasts over
    ``SHOW_SOUND_MAX_S``. Only that much of it is ever decoded."""
    if not path.is_file():
        raise ReadError(f"{path}: no such audio file")
    command = [
        FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(path), "-map", "0:a:0",
        "-t", str(SHOW_SOUND_MAX_S + 1), "-f", "s16le", "-ac", "1", "-ar", str(sample_rate), "pipe:1",
    ]  # fmt: skip
    decoded = subprocess.run(command, capture_output=True, check=False)
    if decoded.returncode != 0 or not decoded.stdout:
        raise ReadError(f"{path}: not an audio file ffmpeg can read; use an MP3, WAV, FLAC, Ogg or M4A file")
    seconds = len(decoded.stdout) / _SAMPLE_WIDTH / sample_rate
    if seconds > SHOW_SOUND_MAX_S:
        raise ReadError(f"{path}: lasts more than {SHOW_SOUND_MAX_S} s; an intro or outro must be shorter")
    if not decoded.stdout.strip(b"\x00"):
        raise ReadError(f"{path}: is silent; an intro or outro must be heard")
    return decoded.stdout


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


def encode_mp3(
    chunks: Iterable[bytes],
    sample_rate: int,
    destination: Path,
    *,
    bitrate: int,
    meanwhile: Callable[[], None] | None = None,
    abandon: Callable[[], None] | None = None,
) -> None:
    """Encode mono 16-bit PCM chunks to constant-bitrate MP3 with no tags (mutagen writes those).

    The chunks are drawn (made, when they are a generator) by a thread of their own that writes
    them to ffmpeg, while ``meanwhile`` runs in this one: chunks that wait for its work must end
    once it returns. When the encode is abandoned (a failure, Ctrl-C, SIGTERM, at any point),
    ffmpeg is killed and ``abandon`` is called, which must end such chunks too.
    """
    resample = ["-ar", "44100"] if bitrate > _MAX_MPEG2_BITRATE and sample_rate < 32000 else []
    command = [
        FFMPEG, "-hide_banner", "-loglevel", "error", "-y",
        "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
        "-codec:a", "libmp3lame", "-b:a", f"{bitrate}k", "-ac", "1", *resample,
        "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3", str(destination),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: ffmpeg can never block on it
        process: subprocess.Popen[bytes] | None = None
        feeder: _Feeder | None = None
        try:
            with _stops_held():
                process = _start(command, errors)
            feeder = _Feeder(process, chunks)
            feeder.start()  # inside the try: starting waits, and a SIGTERM can land there too
            if meanwhile is not None:
                meanwhile()
            feeder.finish()
            status = process.wait()
        except BaseException:  # Ctrl-C or SIGTERM mid-encode, or a chunk that failed: do not leave ffmpeg running
            if process is not None:
                process.kill()
                process.wait()
            if abandon is not None:
                abandon()
            if feeder is not None:
                feeder.stop()
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


class _Feeder(threading.Thread):
    """Draws the chunks and writes them to the encoder, so that making the next chunk (levelling a
    clip) runs beside ffmpeg encoding the last and beside the caller's own work. It stops at the
    first chunk ffmpeg no longer takes (ffmpeg exited: its exit status tells why); a chunk that
    fails to be made ends ffmpeg too, and ``finish`` raises that failure in the caller."""

    def __init__(self, process: subprocess.Popen[bytes], chunks: Iterable[bytes]) -> None:
        super().__init__(daemon=True)
        assert process.stdin is not None
        self.process = process
        self.stdin = process.stdin
        self.chunks = chunks
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            for chunk in self.chunks:
                if not self._written(chunk):
                    break
        except BaseException as exc:  # handed to the caller's thread by finish()
            self.failure = exc
            self.process.kill()
        with contextlib.suppress(BrokenPipeError, ValueError):
            self.stdin.close()

    def _written(self, chunk: bytes) -> bool:
        try:
            self.stdin.write(chunk)
        except (BrokenPipeError, ValueError):  # ffmpeg exited (or was killed and its pipe closed)
            return False
        return True

    def finish(self) -> None:
        """Wait until every chunk is written; raise what stopped the chunks, if anything did."""
        self.join()
        if self.failure is not None:
            raise self.failure

    def stop(self) -> None:
        """After ffmpeg was killed: wait for the thread (the chunks have ended, or stop at the next
        write), unless it never started."""
        with contextlib.suppress(RuntimeError):
            self.join()


def _ms(samples: int, sample_rate: int) -> int:
    return samples * 1000 // sample_rate
