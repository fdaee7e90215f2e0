"""Voice profiles: which voices read an article in a language, how fast, and with which pauses.

Profiles are TOML files; the bundled, hand-tuned ones ship inside the wheel (``audiocast.voices``)
and a user may pass a path to their own. A malformed profile raises ``ProfileError`` naming the
file and key. For a language no bundled profile speaks, ``profile_for_language`` derives one from
the edge voice snapshot and espeak-ng's languages (see ``derived_profile``). The spoken words come
from the phrase table (``audiocast.phrases``); a profile's ``[words]`` may override them.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .engines.base import VoiceSpec
from .engines.edge_list import LOCALE_OF_LANGUAGE as EDGE_LOCALE_OF_LANGUAGE
from .engines.edge_list import EdgeVoice, snapshot_voices
from .errors import ProfileError
from .locales import Tag, closest, language_label
from .models import VoiceRole
from .phrases import WORD_KEYS, Words, words_for

__all__ = ["Pauses", "VoiceProfile", "Words", "bundled_profiles", "load_profile", "profile_for_language"]

ENGINE_LABELS = {"edge": "the online voices (edge)", "espeak": "the offline voice (espeak-ng)"}
"""How messages name each engine."""

ESPEAK_ASIDE_VARIANT = "+f3"
"""The espeak-ng variant that reads asides in a derived profile, as in the bundled ones."""

ENGINE_ROLES = ("narrator", "aside", "fallback")
"""The voices a profile's ``[edge]`` and ``[espeak]`` tables may name; ``fallback`` is optional."""

PAUSE_KINDS = ("sentence", "paragraph", "heading", "aside")

PROFILE_KEYS: dict[str | None, tuple[str, ...]] = {
    None: ("name", "language", "edge", "espeak", "prosody", "pauses", "words"),
    "edge": ENGINE_ROLES,
    "espeak": ENGINE_ROLES,
    "prosody": ("rate", "pitch", "volume"),
    "pauses": PAUSE_KINDS,
    "words": WORD_KEYS,
}
"""Each table of a profile file (None: the top level) and the keys it may hold; any other is refused.
Keep the README's profile example in sync."""

_STYLED = ("Multilingual", "Expressive")
"""Voice name parts marking a variant of a locale's plain voices; the plain ones are chosen first."""


@dataclass(frozen=True)
class Pauses:
    sentence: int
    paragraph: int
    heading: int
    aside: int


@dataclass(frozen=True)
class VoiceProfile:
    name: str
    language: str
    voices: dict[str, dict[str, str]]
    """Engine name → {"narrator": …, "aside": …, optionally "fallback": …}; an engine that does
    not speak the language has no entry (only in derived profiles)."""
    rate: str
    pitch: str
    volume: str
    pauses: Pauses
    words: Words
    derived: bool = False
    """True when chosen from the voice catalogs rather than written by hand."""

    def voice_for(self, engine: str, role: VoiceRole, *, rate: str | None = None) -> VoiceSpec:
        """The voice that reads ``role`` on ``engine``, with the profile's (or given) prosody."""
        if engine in ENGINE_LABELS and engine not in self.voices:
            other = "--engine espeak" if engine == "edge" else "--engine edge, which needs the network"
            raise ProfileError(f"{self.unspoken(engine)}; use {other}")
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

    def unspoken(self, engine: str) -> str:
        """That ``engine`` does not speak this profile's language (``voice_for`` adds which engine does)."""
        verb = "does" if engine == "espeak" else "do"
        return f"{ENGINE_LABELS[engine]} {verb} not speak {language_label(self.language)}"


def bundled_profiles() -> list[str]:
    """Names of the profiles that ship with audiocast."""
    folder = resources.files("audiocast.voices")
    return sorted(item.name.removesuffix(".toml") for item in folder.iterdir() if item.name.endswith(".toml"))


def load_profile(name_or_path: str) -> VoiceProfile:
    """Load a bundled profile by name (``zh-CN``), a user's TOML file by path, or the profile for a
    language tag (``de-DE``, ``pt-BR``: ``profile_for_language``).

    A bundled name wins over a file of the same name in the working folder; a path is anything
    ending in ``.toml`` or containing a folder separator.
    """
    path = Path(name_or_path)
    bundled = bundled_profiles()
    if name_or_path in bundled and path.suffix != ".toml" and len(path.parts) == 1:
        return _bundled(name_or_path)
    if path.suffix == ".toml" or len(path.parts) > 1 or path.exists():
        if not path.is_file():
            raise ProfileError(f"{name_or_path}: voice profile not found")
        return parse_profile(path.read_text(encoding="utf-8"), origin=str(path))
    if Tag.parse(name_or_path) is not None:
        return profile_for_language(name_or_path)
    raise ProfileError(
        f"no voice profile {name_or_path!r}; give a bundled one ({', '.join(bundled)}), "
        "a language tag such as de-DE, or a .toml path"
    )


@functools.cache
def _bundled(name: str) -> VoiceProfile:
    text = resources.files("audiocast.voices").joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return parse_profile(text, origin=name)


def profile_for_language(language: str) -> VoiceProfile:
    """The profile for an article in ``language`` (a BCP 47 tag such as ``de-DE`` or ``de``).

    A bundled profile wins: the same tag, else one of the same language (and script: ``zh-HK``
    takes ``zh-TW``). Cantonese (``yue``) is not Chinese here: its voices are Cantonese ones.
    Any other language gets a profile derived from the voice catalogs (``derived_profile``).
    """
    bundled = closest(language, bundled_profiles())
    return load_profile(bundled) if bundled else derived_profile(language)


@functools.cache
def derived_profile(language: str) -> VoiceProfile:
    """A profile for ``language`` chosen from the edge voice snapshot and espeak-ng's languages.

    Online: a narrator, an aside voice (of the other gender when the locale has one) and a
    fallback, from the requested locale if it has voices, else the language's likely locale
    (CLDR), else its first; plain voices before Multilingual or Expressive ones; never a dialect
    locale (``zh-CN-liaoning``). Offline: espeak-ng's language for the tag, its likely region, or
    the language, with the ``+f3`` variant for asides. Prosody and pauses are the en-US
    profile's; the words come from the phrase table. Raises ``ProfileError`` when neither engine
    speaks the language.
    """
    tag = Tag.parse(language)
    voices: dict[str, dict[str, str]] = {}
    if tag is not None:
        edge = _edge_roles(tag)
        espeak = _espeak_roles(tag)
        voices = {engine: roles for engine, roles in (("edge", edge), ("espeak", espeak)) if roles}
    if not voices:
        hint = "pass --voice-profile with a language tag such as de-DE, or FILE.toml"
        raise ProfileError(f"{unspoken_language(language)}; {hint}")
    model = _bundled("en-US")
    name = str(tag)
    return VoiceProfile(
        name=name, language=name, voices=voices, rate=model.rate, pitch=model.pitch, volume=model.volume,
        pauses=model.pauses, words=words_for(name), derived=True,
    )  # fmt: skip


def unspoken_language(language: str) -> str:
    """That no engine speaks ``language``, naming it in English where CLDR can.

    >>> unspoken_language("yo-NG")
    'no voice speaks Yoruba (yo): neither the online voices nor espeak-ng read it'
    """
    return f"no voice speaks {language_label(language)}: neither the online voices nor espeak-ng read it"


def _edge_roles(tag: Tag) -> dict[str, str]:
    """Narrator, aside and fallback among the snapshot's voices for ``tag``; empty when it has none."""
    wanted = Tag.parse(EDGE_LOCALE_OF_LANGUAGE.get(tag.language, "")) or tag
    locales = _edge_locales(wanted.language)
    if not locales:
        return {}
    chosen = _best_locale(wanted, sorted(locales))
    pool = locales[chosen] + [voice for locale in sorted(locales) if locale != chosen for voice in locales[locale]]
    narrator = pool[0]
    same_locale = locales[chosen][1:]
    aside = next((voice for voice in same_locale if voice["Gender"] != narrator["Gender"]), None)
    aside = aside or (pool[1] if len(pool) > 1 else narrator)
    roles = {"narrator": narrator["ShortName"], "aside": aside["ShortName"]}
    fallback = next((voice for voice in pool if voice["ShortName"] not in roles.values()), None)
    if fallback:
        roles["fallback"] = fallback["ShortName"]
    return roles


def _edge_locales(language: str) -> dict[str, list[EdgeVoice]]:
    """The snapshot's locales of ``language`` (dialects left out), each with its voices, plain first."""
    locales: dict[str, list[EdgeVoice]] = {}
    for voice in _ranked_snapshot():
        locale = Tag.parse(voice["Locale"])
        if locale is not None and locale.language == language and locale.variant is None:
            locales.setdefault(voice["Locale"], []).append(voice)
    return locales


@functools.cache
def _ranked_snapshot() -> tuple[EdgeVoice, ...]:
    def rank(voice: EdgeVoice) -> tuple[bool, str]:
        return any(style in voice["ShortName"] for style in _STYLED), voice["ShortName"]

    return tuple(sorted(snapshot_voices(), key=rank))


def _best_locale(wanted: Tag, locales: list[str]) -> str:
    """Of ``locales`` (one language's), the requested one, else the likely one, else the first."""
    tags = {locale: Tag.parse(locale) for locale in locales}
    for target in (wanted, Tag(wanted.language, wanted.script).likely()):
        if target.region is None:
            continue
        for locale, tag in tags.items():
            if tag is not None and tag.region == target.region and tag.script in (None, target.script):
                return locale
    return locales[0]


def _espeak_roles(tag: Tag) -> dict[str, str]:
    """espeak-ng's narrator and aside for ``tag``: the first of ``espeak_languages``; empty when
    espeak-ng does not speak it."""
    names = espeak_languages(tag)
    return {"narrator": names[0], "aside": names[0] + ESPEAK_ASIDE_VARIANT} if names else {}


def espeak_languages(tag: Tag) -> list[str]:
    """espeak-ng's languages that speak ``tag``'s language, the one a derived profile reads with first:
    the tag's region's (``pt-BR``), else the likely region's, else the language's own (``de``; ``zh``
    is ``cmn`` there); then its others (``pt``; ``fr-BE``, ``fr-CH``; ``yue``, ``hak``), in name order.

    >>> espeak_languages(Tag("pt", region="BR")), espeak_languages(Tag("de", region="DE"))
    (['pt-BR', 'pt'], ['de'])
    >>> espeak_languages(Tag("zh", region="TW"))
    ['cmn', 'cmn-Latn-pinyin', 'hak', 'yue', 'yue-Latn-jyutping']
    """
    from .engines.espeak import LANGUAGE_ALIASES  # imported here: espeak → script → profiles

    offered = _espeak_languages()
    spoken = LANGUAGE_ALIASES.get(tag.language, (tag.language,))
    regions = [region for region in (tag.region, tag.likely().region) if region]
    preferred = [f"{tag.language}-{region}".lower() for region in regions] + [spoken[0]]
    chosen = next((offered[name] for name in preferred if name in offered), None)
    others = sorted(name for key, name in offered.items() if key.split("-")[0] in spoken and name != chosen)
    return [chosen, *others] if chosen else others


@functools.cache
def _espeak_languages() -> dict[str, str]:
    """espeak-ng's languages by lower-case name (it ignores case)."""
    from .engines.espeak import list_voices

    return {name.lower(): name for name in list_voices() if not name.startswith("+")}


def parse_profile(text: str, *, origin: str) -> VoiceProfile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{origin}: not valid TOML ({exc})") from exc
    reader = _Keys(data, origin)
    voices = {engine: reader.voices(engine) for engine in ("edge", "espeak")}
    pauses = Pauses(**{kind: reader.milliseconds("pauses", kind) for kind in PAUSE_KINDS})
    language = reader.text(None, "language")
    table = words_for(language)
    words = Words(**{key: reader.optional_text("words", key, getattr(table, key)) for key in WORD_KEYS})
    try:
        profile = VoiceProfile(
            name=reader.text(None, "name"),
            language=language,
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
    reader.refuse_unknown()  # after the keys it must have: a misspelt table is reported as missing
    return profile


class _Keys:
    """Typed access to a profile's TOML table with errors that name the file and key."""

    def __init__(self, data: dict[str, Any], origin: str) -> None:
        self.data = data
        self.origin = origin

    def refuse_unknown(self) -> None:
        """Raise on the first key ``PROFILE_KEYS`` does not name: a misspelt key would be ignored."""
        for table, known in PROFILE_KEYS.items():
            section = self.data if table is None else self.data.get(table)
            unknown = [key for key in section if key not in known] if isinstance(section, dict) else []
            if unknown:
                where = "" if table is None else f" in [{table}]"
                raise ProfileError(f"{self.origin}: unknown key {unknown[0]!r}{where}; known keys: {', '.join(known)}")

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

    def optional_text(self, table: str, key: str, default: str) -> str:
        section = self.data.get(table, {})
        return self.text(table, key) if isinstance(section, dict) and key in section else default

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
