"""The edge voice list's shape and its bundled snapshot, with no network imports.

Voice profiles are derived from the snapshot (``data/edge_voices.json``), so which voice reads a
language does not depend on whether, or what, the service answers today; ``audiocast voices``
shows the live list when it can (``engines.edge.list_voices``).
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import TypedDict

OUTPUT_FORMAT = "audio-24khz-48kbitrate-mono-mp3"
"""The only MP3 format the service allows."""

LOCALE_OF_LANGUAGE = {"yue": "zh-HK"}
"""Languages the service files under another language's locale: its Cantonese voices are zh-HK."""


class VoiceTag(TypedDict):
    ContentCategories: list[str]
    VoicePersonalities: list[str]


class EdgeVoice(TypedDict):
    """One entry of the service's voice list, as ``edge_tts.list_voices`` returns it."""

    Name: str
    ShortName: str
    Gender: str
    Locale: str
    SuggestedCodec: str
    FriendlyName: str
    Status: str
    VoiceTag: VoiceTag


@functools.cache
def _snapshot() -> tuple[EdgeVoice, ...]:
    text = resources.files("audiocast.data").joinpath("edge_voices.json").read_text(encoding="utf-8")
    return tuple(voice_entry(entry) for entry in json.loads(text)["voices"])


def snapshot_voices() -> list[EdgeVoice]:
    """The bundled snapshot of the edge voice list: the offline answer of ``audiocast voices``, and
    the catalog voice profiles are derived from (so a build does not depend on the network)."""
    return list(_snapshot())


def voice_entry(entry: dict[str, object]) -> EdgeVoice:
    """One voice-list entry with every field present and typed (the live list may omit some)."""
    tag = entry.get("VoiceTag")
    tags = tag if isinstance(tag, dict) else {}
    return EdgeVoice(
        Name=str(entry.get("Name", "")),
        ShortName=str(entry["ShortName"]),
        Gender=str(entry.get("Gender", "")),
        Locale=str(entry["Locale"]),
        SuggestedCodec=str(entry.get("SuggestedCodec", OUTPUT_FORMAT)),
        FriendlyName=str(entry.get("FriendlyName", "")),
        Status=str(entry.get("Status", "")),
        VoiceTag=VoiceTag(
            ContentCategories=[str(item) for item in tags.get("ContentCategories", [])],
            VoicePersonalities=[str(item) for item in tags.get("VoicePersonalities", [])],
        ),
    )
