"""Voice profiles: which voices read an article in a language, how fast, and with which pauses.

Profiles are TOML files; the bundled ones ship inside the wheel (``audiocast.voices``) and a user
may pass a path to their own. A malformed profile raises ``ProfileError`` naming the file and key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .engines.base import VoiceSpec
from .errors import ProfileError
from .models import VoiceRole


@dataclass(frozen=True)
class Pauses:
    sentence: int
    paragraph: int
    heading: int
    aside: int


@dataclass(frozen=True)
class Words:
    """Spoken phrasing; ``{source}``, ``{date}``, ``{year}``, ``{month}``, ``{day}``, ``{month_name}``."""

    caption_lead_in: str
    meta: str
    date: str
    outro: str


@dataclass(frozen=True)
class VoiceProfile:
    name: str
    language: str
    voices: dict[str, dict[str, str]]
    """Engine name → {"narrator": …, "aside": …, optionally "fallback": …}."""
    rate: str
    pitch: str
    volume: str
    pauses: Pauses
    words: Words

    def voice_for(self, engine: str, role: VoiceRole, *, rate: str | None = None) -> VoiceSpec:
        """The voice that reads ``role`` on ``engine``, with the profile's (or given) prosody."""
        try:
            name = self.voices[engine][role]
        except KeyError:
            raise ProfileError(f"voice profile {self.name!r} has no [{engine}] {role} voice") from None
        return VoiceSpec(name, rate=rate or self.rate, pitch=self.pitch, volume=self.volume)

    def fallback_for(self, engine: str, *, rate: str | None = None) -> VoiceSpec | None:
        name = self.voices.get(engine, {}).get("fallback")
        if not name:
            return None
        return VoiceSpec(name, rate=rate or self.rate, pitch=self.pitch, volume=self.volume)


def bundled_profiles() -> list[str]:
    """Names of the profiles that ship with audiocast."""
    folder = resources.files("audiocast.voices")
    return sorted(item.name.removesuffix(".toml") for item in folder.iterdir() if item.name.endswith(".toml"))


def load_profile(name_or_path: str) -> VoiceProfile:
    """Load a bundled profile by name (``zh-CN``) or a user's TOML file by path.

    A bundled name wins over a file of the same name in the working folder; a path is anything
    ending in ``.toml`` or containing a folder separator.
    """
    path = Path(name_or_path)
    bundled = bundled_profiles()
    if name_or_path in bundled and path.suffix != ".toml" and len(path.parts) == 1:
        text = resources.files("audiocast.voices").joinpath(f"{name_or_path}.toml").read_text(encoding="utf-8")
        return parse_profile(text, origin=name_or_path)
    if path.suffix == ".toml" or len(path.parts) > 1 or path.exists():
        if not path.is_file():
            raise ProfileError(f"{name_or_path}: voice profile not found")
        return parse_profile(path.read_text(encoding="utf-8"), origin=str(path))
    raise ProfileError(f"no voice profile {name_or_path!r}; bundled: {', '.join(bundled)}, or give a .toml path")


def profile_for_language(language: str) -> VoiceProfile:
    """The bundled profile for a detected language: ``zh-CN``, ``zh-TW``, else the same family, else
    English for Latin-script text. Scripts no bundled voice can read are refused rather than mangled."""
    bundled = bundled_profiles()
    if language in bundled:
        return load_profile(language)
    family = language.split("-")[0]
    for name in bundled:
        if name.split("-")[0] == family:
            return load_profile(name)
    if family in _UNSUPPORTED_SCRIPTS:
        raise ProfileError(
            f"no bundled voice profile for {_UNSUPPORTED_SCRIPTS[family]} ({language}); "
            "write one and pass it with --voice-profile FILE.toml (in a feed definition: profile = ...)"
        )
    return load_profile("en-US")


_UNSUPPORTED_SCRIPTS = {"ja": "Japanese", "ko": "Korean"}


def parse_profile(text: str, *, origin: str) -> VoiceProfile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{origin}: not valid TOML ({exc})") from exc
    reader = _Keys(data, origin)
    voices = {engine: reader.voices(engine) for engine in ("edge", "espeak")}
    pause_kinds = ("sentence", "paragraph", "heading", "aside")
    pauses = Pauses(**{kind: reader.milliseconds("pauses", kind) for kind in pause_kinds})
    words = Words(**{key: reader.text("words", key) for key in ("caption_lead_in", "meta", "date", "outro")})
    try:
        profile = VoiceProfile(
            name=reader.text(None, "name"),
            language=reader.text(None, "language"),
            voices=voices,
            rate=reader.text("prosody", "rate"),
            pitch=reader.text("prosody", "pitch"),
            volume=reader.text("prosody", "volume"),
            pauses=pauses,
            words=words,
        )
        profile.voice_for("espeak", "narrator")
    except ValueError as exc:
        raise ProfileError(f"{origin}: [prosody] {exc}") from exc
    return profile


class _Keys:
    """Typed access to a profile's TOML table with errors that name the file and key."""

    def __init__(self, data: dict[str, Any], origin: str) -> None:
        self.data = data
        self.origin = origin

    def _value(self, table: str | None, key: str) -> Any:
        section = self.data if table is None else self.data.get(table)
        where = key if table is None else f"[{table}] {key}"
        if not isinstance(section, dict) or key not in section:
            raise ProfileError(f"{self.origin}: missing key {where}")
        return section[key]

    def text(self, table: str | None, key: str) -> str:
        value = self._value(table, key)
        if not isinstance(value, str):
            where = key if table is None else f"[{table}] {key}"
            raise ProfileError(f"{self.origin}: {where} must be a string")
        return value

    def milliseconds(self, table: str, key: str) -> int:
        value = self._value(table, key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000:
            raise ProfileError(f"{self.origin}: [{table}] {key} must be milliseconds from 0 to 10000")
        return value

    def voices(self, engine: str) -> dict[str, str]:
        chosen = {role: self.text(engine, role) for role in ("narrator", "aside")}
        section = self.data.get(engine, {})
        if "fallback" in section:
            chosen["fallback"] = self.text(engine, "fallback")
        return chosen
