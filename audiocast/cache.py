"""The clip cache: every synthesised clip, stored once under the hash of what made it.

A key is (engine, engine version, voice, rate, pitch, volume, text); an entry is one file
``<root>/clips/<2 hex>/<64 hex>.clip`` holding a SHA-256 of the rest, a JSON header (the key's
fields, format, sample rate, boundaries) and the audio bytes. Entries are written atomically
(temporary sibling + rename), so a crash never leaves half an entry; an entry whose checksum or
header does not match is logged, deleted and treated as a miss, so it is replaced and never played.
A cache that cannot be written (or read) is reported once and then left alone: the run goes on
without storing (or looking up) clips, because a cache is never worth failing an episode for.

The default root is ``$AUDIOCAST_CACHE_DIR``, else ``$XDG_CACHE_HOME/audiocast``, else
``~/.cache/audiocast``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypedDict, cast

from .atomic import write_bytes
from .engines.base import Engine, VoiceSpec
from .models import AudioFormat, Boundary, Clip

log = logging.getLogger(__name__)

CACHE_DIR_ENV = "AUDIOCAST_CACHE_DIR"
_MAGIC = b"audiocast-clip 1\n"
_DIGEST_BYTES = 32


@dataclass(frozen=True)
class ClipKey:
    """Everything that decides how a clip sounds; two equal keys may share one clip."""

    engine: str
    engine_version: str
    voice: str
    rate: str
    pitch: str
    volume: str
    text: str

    @classmethod
    def of(cls, engine: Engine, voice: VoiceSpec, text: str) -> ClipKey:
        return cls(engine.name, engine.version, voice.name, voice.rate, voice.pitch, voice.volume, text)

    @property
    def digest(self) -> str:
        """A stable hex name for the key; pinned below, since changing it orphans every cached clip.

        >>> ClipKey("espeak", "1", "en-us", "+0%", "+0Hz", "+0%", "Hi.").digest[:12]
        '12022f85b471'
        """
        fields = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(fields.encode("utf-8")).hexdigest()


class _Header(TypedDict):
    """The JSON header of a cache entry."""

    key: dict[str, str]
    format: str
    sample_rate: int
    engine: str
    voice: str
    boundaries: list[list[int | str]]


def default_cache_dir() -> Path:
    """``$AUDIOCAST_CACHE_DIR``, else ``$XDG_CACHE_HOME/audiocast``, else ``~/.cache/audiocast``."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "audiocast"


class ClipCache:
    """Clips on disk, looked up by :class:`ClipKey`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.readable = True
        self.writable = True
        """Each turns False after the first failure of its kind, which is the one logged."""

    def path(self, key: ClipKey) -> Path:
        digest = key.digest
        return self.root / "clips" / digest[:2] / f"{digest}.clip"

    def get(self, key: ClipKey) -> Clip | None:
        """The cached clip for ``key``, or None when absent or damaged (a damaged entry is removed)."""
        if not self.readable:
            return None
        path = self.path(key)
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            self.readable = False
            log.warning("cannot read the clip cache under %s (%s); not using it this run", self.root, _why(exc))
            return None
        clip = _decode(data, key)
        if clip is None:
            log.warning("clip cache entry %s is damaged; removing it and synthesising again", path)
            with contextlib.suppress(OSError):  # a read-only cache keeps it; the checksum still refuses it
                path.unlink(missing_ok=True)
        return clip

    def put(self, key: ClipKey, clip: Clip) -> None:
        """Store ``clip`` under ``key``, atomically replacing any earlier entry."""
        if not self.writable:
            return
        try:
            write_bytes(self.path(key), _encode(key, clip))
        except OSError as exc:  # a full or read-only cache must not fail the episode
            self.writable = False
            log.warning("cannot write the clip cache under %s (%s); not caching clips this run", self.root, _why(exc))


def _why(exc: OSError) -> str:
    """The operating system's reason, without the entry's path (the root is named already)."""
    cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
    return cause.strerror or str(cause)


def _encode(key: ClipKey, clip: Clip) -> bytes:
    header: _Header = {
        "key": asdict(key),
        "format": clip.format,
        "sample_rate": clip.sample_rate,
        "engine": clip.engine,
        "voice": clip.voice,
        "boundaries": [[b.offset_ms, b.duration_ms, b.text] for b in clip.boundaries],
    }
    header_bytes = json.dumps(header, ensure_ascii=False).encode("utf-8")
    body = _MAGIC + len(header_bytes).to_bytes(4, "big") + header_bytes + clip.audio
    return hashlib.sha256(body).digest() + body


def _decode(data: bytes, key: ClipKey) -> Clip | None:
    """The clip in an entry, or None if the entry is damaged or belongs to another key."""
    digest, body = data[:_DIGEST_BYTES], data[_DIGEST_BYTES:]
    if hashlib.sha256(body).digest() != digest or not body.startswith(_MAGIC):
        return None
    rest = body[len(_MAGIC) :]
    size = int.from_bytes(rest[:4], "big")
    try:
        header = cast(_Header, json.loads(rest[4 : 4 + size].decode("utf-8")))
        if header["key"] != asdict(key):
            return None
        return Clip(
            audio=rest[4 + size :],
            format=cast(AudioFormat, header["format"]),
            sample_rate=header["sample_rate"],
            boundaries=tuple(Boundary(int(o), int(d), str(t)) for o, d, t in header["boundaries"]),
            engine=header["engine"],
            voice=header["voice"],
        )
    except (ValueError, KeyError, TypeError):
        return None
