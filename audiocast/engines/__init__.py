"""Voice engines behind one interface, registered by name, and the voices they offer.

``make_engine("auto")`` picks the engine for a whole run: the online ``edge`` voices when the
service answers one quick check, else the offline ``espeak`` voice with one warning line. An
episode is never read by two engines.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ProfileError
from ..locales import Tag
from .base import Engine, VoiceSpec
from .edge_list import LOCALE_OF_LANGUAGE as EDGE_LOCALE_OF_LANGUAGE
from .espeak import LANGUAGE_ALIASES as ESPEAK_LANGUAGE_ALIASES
from .espeak import EspeakEngine
from .espeak import list_voices as espeak_voices

log = logging.getLogger(__name__)


def _edge() -> Engine:
    from .edge import EdgeEngine  # imported on demand: aiohttp and edge-tts take ~0.2 s to load

    return EdgeEngine()


ENGINES: dict[str, Callable[[], Engine]] = {"edge": _edge, "espeak": EspeakEngine}
"""Engine name → factory. Keep the README's engine list in sync."""

ENGINE_CHOICES = ("auto", *ENGINES)
"""What ``--engine`` accepts: ``auto`` resolves to ``edge`` or ``espeak`` once per run."""

AUTO_CHECK_SECONDS = 3.0
"""How long ``auto`` waits for the edge service before reading offline."""

__all__ = ["ENGINES", "ENGINE_CHOICES", "Engine", "VoiceSpec", "make_engine", "voice_catalog"]


def make_engine(name: str) -> Engine:
    """Build the engine registered as ``name``; ``auto`` checks once whether edge is reachable."""
    if name == "auto":
        return _auto()
    try:
        factory = ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(ENGINE_CHOICES)}") from None
    return factory()


def _auto() -> Engine:
    from .edge import endpoint_url, is_reachable

    if is_reachable(AUTO_CHECK_SECONDS):
        return _edge()
    log.warning(
        "the online voices (%s) cannot be reached; reading with the offline voice (espeak) instead",
        endpoint_url().split("/")[2],
    )
    return EspeakEngine()


@dataclass(frozen=True)
class VoiceEntry:
    """One voice an engine offers, and which bundled profiles use it (``"zh-CN narrator"``)."""

    engine: str
    name: str
    locale: str
    gender: str
    description: str
    used_by: tuple[str, ...]
    available: bool = True
    """False for a voice a profile names but the engine does not offer (retired or blocked)."""


@dataclass(frozen=True)
class VoiceCatalog:
    entries: tuple[VoiceEntry, ...]
    live: bool
    """True when the online list came from the service, False when from the bundled snapshot."""
    variants: tuple[str, ...]
    """espeak voice variants (``+f3``), which combine with any offline voice (``cmn+f3``)."""


def voice_catalog(language: str | None = None, *, timeout: float = 5.0) -> VoiceCatalog:
    """Online (live, else snapshot) and offline voices, optionally only those for ``language``.

    ``language`` is a tag, read as voices file it (``no`` is ``nb``, ``tl`` is ``fil``). Its offline
    voices are those of ``profiles.espeak_languages``, the one a derived profile reads with first.
    Raises ``ValueError`` when ``language`` is not a tag, ``ProfileError`` when no voice speaks it.
    """
    from ..profiles import espeak_languages, unspoken_language  # profiles imports engines.base
    from .edge import list_voices as edge_voices

    tag = Tag.parse(language) if language else None
    if language and tag is None:
        raise ValueError(f"{language!r} is not a language tag such as de, de-DE or zh-TW")
    language = str(tag) if tag else None
    usage = _profile_usage()
    online, live = edge_voices(timeout)
    entries = [
        VoiceEntry(
            "edge",
            voice["ShortName"],
            voice["Locale"],
            voice["Gender"],
            ", ".join(voice["VoiceTag"]["ContentCategories"] + voice["VoiceTag"]["VoicePersonalities"]),
            tuple(usage.get(("edge", voice["ShortName"]), ())),
        )
        for voice in online
        if _matches(voice["Locale"], language)
    ]
    names = espeak_voices()
    offline = espeak_languages(tag) if tag else [name for name in names if not name.startswith("+")]
    entries += [
        VoiceEntry("espeak", name, name, "", "", tuple(usage.get(("espeak", name.lower()), ()))) for name in offline
    ]
    if tag and not entries:
        raise ProfileError(unspoken_language(str(tag)))
    listed = {(entry.engine, entry.name.lower() if entry.engine == "espeak" else entry.name) for entry in entries}
    entries += _missing(usage, listed, language)
    variants = tuple(name for name in names if name.startswith("+"))
    return VoiceCatalog(tuple(entries), live, variants)


def _matches(locale: str, language: str | None) -> bool:
    """Whether a voice's locale belongs to ``language`` (``zh`` matches ``zh-TW`` and espeak ``cmn``;
    ``yue`` matches the service's Cantonese voices, ``zh-HK``).

    >>> _matches("zh-CN-liaoning", "zh"), _matches("cmn", "zh-CN"), _matches("zh-CN", "zh-TW")
    (True, True, False)
    >>> _matches("zh-HK", "yue"), _matches("yue", "yue"), _matches("zh-TW", "yue")
    (True, True, False)
    """
    if not language:
        return True
    family = language.lower().split("-")[0]
    edge_locale = EDGE_LOCALE_OF_LANGUAGE.get(family, "").lower()
    wanted = (language.lower(), *filter(None, [edge_locale]), *ESPEAK_LANGUAGE_ALIASES.get(family, ()))
    locale = locale.lower()
    return any(locale == prefix or locale.startswith(f"{prefix}-") for prefix in wanted)


def _profile_usage() -> dict[tuple[str, str], list[str]]:
    """(engine, voice) → uses by the bundled profiles, e.g. ``["zh-CN narrator", "zh-TW aside (+f3)"]``."""
    from ..profiles import bundled_profiles, load_profile  # profiles imports engines.base: no cycle here

    usage: dict[tuple[str, str], list[str]] = {}
    for profile_name in bundled_profiles():
        profile = load_profile(profile_name)
        for engine, roles in profile.voices.items():
            for role, voice in roles.items():
                base, _, variant = voice.partition("+")
                base = base.lower() if engine == "espeak" else base  # espeak-ng ignores case
                label = f"{profile_name} {role}" + (f" (+{variant})" if variant else "")
                usage.setdefault((engine, base), []).append(label)
    return usage


def _missing(
    usage: dict[tuple[str, str], list[str]], listed: set[tuple[str, str]], language: str | None
) -> list[VoiceEntry]:
    """Profile voices the engines do not offer: worth seeing before a run fails on them."""
    missing = []
    for (engine, name), uses in sorted(usage.items()):
        locale = name if engine == "espeak" else "-".join(name.split("-")[:2])
        if (engine, name) not in listed and _matches(locale, language):
            missing.append(VoiceEntry(engine, name, locale, "", "", tuple(uses), available=False))
    return missing
