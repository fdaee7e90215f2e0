"""The offline voice: espeak-ng, loaded in process from the ``espeakng-loader`` wheel.

This is the only module that touches espeak-ng. The library keeps global state (one voice, one
callback), so every call holds one process-wide lock; it is fast enough (hundreds of times
realtime) that serialising it costs nothing worth measuring.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import threading
from dataclasses import dataclass

from ..errors import EngineUnavailable, SynthError
from ..models import Boundary, Clip
from ..script.japanese import READING_VERSION, japanese_reading
from ..script.numbers import RULES_VERSION, NumberLanguage, Spoken, spoken_numbers
from ..timing import tiled_words
from .base import VoiceSpec

log = logging.getLogger(__name__)

# espeak-ng's speak_lib.h constants.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_PARAM_RATE, _PARAM_VOLUME, _PARAM_PITCH = 1, 2, 3
_DEFAULT_WPM = 175

_TIMED = "word times 2"
"""Part of the engine version: clips cached when the engine timed sentences carry no word times,
or gave an unstressed word the time of the word after it, are made again once."""

LANGUAGE_ALIASES = {"zh": ("cmn", "yue", "hak")}
"""espeak-ng names Chinese by its spoken varieties, not by "zh"."""


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


_Callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass
class _Capture:
    """What the synthesis callback collects for one utterance."""

    pcm: list[bytes]
    word_marks: list[tuple[int, int, int]]  # (1-based character position, length in characters, audio ms)


class _Library:
    """The loaded espeak-ng library, initialised once per process."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:  # pragma: no cover - it is a declared dependency
            raise EngineUnavailable("espeak-ng is not installed; run: pip install espeakng-loader") from exc
        try:
            self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        except OSError as exc:
            raise EngineUnavailable(f"espeak-ng library could not be loaded: {exc}") from exc
        data_path = espeakng_loader.get_data_path().encode()
        self.sample_rate = int(self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, 0))
        if self.sample_rate <= 0:
            raise EngineUnavailable("espeak-ng failed to initialise its voice data")
        self.lib.espeak_Info.restype = ctypes.c_char_p
        self.version = (self.lib.espeak_Info(None) or b"?").decode()
        self.capture = _Capture([], [])
        self._callback = _Callback(self._on_audio)  # kept referenced for the library's lifetime
        self.lib.espeak_SetSynthCallback(self._callback)

    def _on_audio(self, wav: ctypes._Pointer[ctypes.c_short], samples: int, events: ctypes._Pointer[_Event]) -> int:
        if samples > 0:
            self.capture.pcm.append(ctypes.string_at(wav, samples * 2))
        index = 0
        while events[index].type != _EVENT_LIST_TERMINATED:
            event = events[index]
            if event.type == _EVENT_WORD:
                self.capture.word_marks.append((event.text_position, event.length, event.audio_position))
            index += 1
        return 0

    def speak(self, text: str, voice: VoiceSpec) -> _Capture:
        if self.lib.espeak_SetVoiceByName(voice.name.encode()) != 0:
            raise SynthError(f"espeak-ng has no voice {voice.name!r}; see: audiocast voices")
        self.lib.espeak_SetParameter(_PARAM_RATE, round(_DEFAULT_WPM * (1 + voice.rate_percent / 100)), 0)
        self.lib.espeak_SetParameter(_PARAM_PITCH, max(0, min(100, 50 + voice.pitch_hz)), 0)
        self.lib.espeak_SetParameter(_PARAM_VOLUME, max(0, 100 + voice.volume_percent), 0)
        self.capture = _Capture([], [])
        encoded = text.encode("utf-8")
        status = self.lib.espeak_Synth(encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        self.lib.espeak_Synchronize()
        if status != 0:
            raise SynthError(f"espeak-ng failed on {text[:40]!r} (status {status})")
        return self.capture


_library: _Library | None = None
_lock = threading.Lock()


def _load() -> _Library:
    global _library
    if _library is None:
        _library = _Library()
    return _library


def number_language(voice_name: str) -> NumberLanguage | None:
    """Which spoken-number rules fit an espeak-ng voice, or None to leave numbers as written.

    >>> number_language("cmn+f3"), number_language("yue"), number_language("en-us"), number_language("de")
    ('zh', 'zh', 'en', None)
    """
    language = voice_name.split("+", 1)[0].lower()
    family = language.split("-", 1)[0]
    if family in ("zh", *LANGUAGE_ALIASES["zh"]):
        return "zh"
    return "en" if family == "en" else None


def spoken_reading(text: str, voice_name: str) -> Spoken:
    """What espeak-ng is given to read ``text`` aloud in ``voice_name``'s language."""
    if voice_name.split("+", 1)[0].lower().split("-", 1)[0] == "ja":
        return japanese_reading(text)
    return spoken_numbers(text, number_language(voice_name))


def word_boundaries(text: str, marks: list[tuple[int, int, int]], total_ms: int) -> tuple[Boundary, ...]:
    """Turn espeak's word marks (start and end in ``text``, audio ms) into word boundaries over ``text``.

    espeak reports pieces of one word as words of their own ("2,300" as "2,", ",3", "300"; a number
    read out as several words, which all point at its written start), some words with the
    punctuation after them, and some Chinese words by their first character only. So marks that
    share a start are one word; each mark reaches to where the next starts, without the punctuation
    there; and ``timing.tiled_words`` joins the pieces of one written word. A word lasts until the
    next one starts, the last one until the audio ends.

    espeak gives an unstressed word no mark of its own: it is heard at the end of the mark before
    ("In the | season", "of the | islands", as its phoneme events show), so that mark holds it, and
    ``timing.one_by_one`` later shares the mark's time among its words.

    >>> marks = [(0, 2, 0), (4, 9, 380), (10, 14, 690), (15, 17, 900), (16, 18, 1100), (17, 20, 1600)]
    >>> word_boundaries("Mr. Smith paid 2,300.", marks, 2500)  # doctest: +NORMALIZE_WHITESPACE
    (Boundary(offset_ms=0, duration_ms=380, text='Mr.'), Boundary(offset_ms=380, duration_ms=310, text='Smith'),
     Boundary(offset_ms=690, duration_ms=210, text='paid'), Boundary(offset_ms=900, duration_ms=1600, text='2,300.'))
    >>> [b.text for b in word_boundaries("In the season, the", [(0, 2, 0), (7, 13, 207), (15, 18, 807)], 900)]
    ['In the', 'season,', 'the']
    >>> [b.text for b in word_boundaries("他说。“盟国", [(0, 1, 0), (1, 4, 200), (4, 5, 500)], 900)]
    ['他', '说。', '“盟国']
    """
    words: list[tuple[int, int, int]] = []  # (start, end, ms)
    for start, end, ms in marks:
        if words and start <= words[-1][0]:
            first, last, first_ms = words[-1]
            words[-1] = (first, max(last, end), first_ms)
        elif start < len(text):
            words.append((start, end, ms))
    starts = [start for start, _, _ in words[1:]] + [len(text)]
    ends_ms = [ms for _, _, ms in words[1:]] + [total_ms]
    timed = [
        (start, _without_punctuation(text, start, next_start), ms, end_ms)
        for (start, _, ms), next_start, end_ms in zip(words, starts, ends_ms, strict=True)
    ]
    return tuple(Boundary(ms, max(0, end_ms - ms), text[a:b]) for a, b, ms, end_ms in tiled_words(text, timed))


def _without_punctuation(text: str, start: int, end: int) -> int:
    """Where the word at ``start`` ends once the punctuation at its end is left out (never before
    its first character)."""
    while end > start + 1 and not text[end - 1].isalnum():
        end -= 1
    return max(end, start + 1)


class EspeakEngine:
    """Offline synthesis with espeak-ng; reports when each word is heard in its audio."""

    name = "espeak"
    offline = True

    def __init__(self) -> None:
        with _lock:
            self._library = _load()

    @property
    def version(self) -> str:
        return f"espeak-ng {self._library.version}, numbers {RULES_VERSION}, japanese {READING_VERSION}, {_TIMED}"

    @property
    def sample_rate(self) -> int:
        return self._library.sample_rate

    def synthesize_now(self, text: str, voice: VoiceSpec) -> Clip:
        """Synchronous synthesis; used by :meth:`synthesize` in a worker thread.

        Numbers are spoken as words of the voice's language, Japanese in kana; the boundaries still
        point into ``text``.
        """
        spoken = spoken_reading(text, voice.name)
        with _lock:
            capture = self._library.speak(spoken.text, voice)
        marks = [
            (spoken.written_position(position - 1), spoken.written_position(position - 1 + length), ms)
            for position, length, ms in capture.word_marks
        ]
        pcm = b"".join(capture.pcm)
        if not pcm:
            raise SynthError(f"espeak-ng produced no audio for {text[:40]!r}")
        total_ms = len(pcm) * 1000 // (2 * self.sample_rate)
        return Clip(
            audio=pcm,
            format="pcm_s16le",
            sample_rate=self.sample_rate,
            boundaries=word_boundaries(text, marks, total_ms),
            engine=self.name,
            voice=voice.name,
        )

    async def synthesize(self, text: str, voice: VoiceSpec) -> Clip:
        return await asyncio.to_thread(self.synthesize_now, text, voice)


def list_voices() -> list[str]:
    """Names of the espeak-ng languages and variants this wheel ships (for ``audiocast voices``)."""
    from pathlib import Path

    import espeakng_loader

    data = Path(espeakng_loader.get_data_path())
    languages = sorted(path.name for path in (data / "lang").rglob("*") if path.is_file())
    variants = sorted(path.name for path in (data / "voices" / "!v").iterdir())
    return languages + [f"+{variant}" for variant in variants]
