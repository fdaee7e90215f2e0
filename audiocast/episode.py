"""One article → one finished episode: the MP3 (tagged) and its sidecars, written atomically.

Stages run in order — script, synth, assemble, publish — over plain values, except that the MP3
is encoded while its clips are being made (``audio.assemble_as_made``). It goes to a temporary
file, and each file is renamed into place only when complete, so a failure at any point leaves
earlier output as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from . import __name__ as _package
from .atomic import atomic_paths
from .audio import ClipArrived, assemble_as_made, show_sound
from .engines import Engine, make_engine
from .errors import PublishError, ReadError
from .loudness import DEFAULT_LOUDNESS_LUFS, check_loudness
from .models import Article, Clip, Episode, Script, Timeline
from .profiles import VoiceProfile, load_profile, profile_for_language
from .publish.artwork import ChapterPicture, ImageTooLarge, article_art, chapter_pictures, default_cover, to_jpeg
from .publish.captions import to_srt, to_vtt
from .publish.chapters import figure_chapters, figure_images, to_chapters_json, with_pictures
from .publish.tags import EpisodeTags, write_tags, written_by_audiocast
from .publish.transcript import to_json_transcript, to_transcript
from .script import DEFAULT_MAX_SEGMENT_BYTES, build_script
from .synth import SynthOptions, synthesize

log = logging.getLogger(__name__)

BITRATES = (32, 48, 64, 96, 128, 160, 192)
"""Constant MP3 bitrates offered (kbps); 64 is plenty for one speaking voice."""


class Progress(Protocol):
    """What the episode pipeline reports while it works (the CLI draws it)."""

    def stage(self, name: str, total: int | None = None) -> None: ...

    def advance(self) -> None: ...


@dataclass(frozen=True, kw_only=True)
class EpisodeOptions:
    engine: str = "auto"
    profile: str | None = None
    """A bundled profile name or a TOML path; None picks by the article's language."""
    synth: SynthOptions = field(default_factory=SynthOptions)
    bitrate: int = 64
    max_segment_bytes: int = DEFAULT_MAX_SEGMENT_BYTES
    fetch_cover: bool = True
    cover: Path | None = None
    album: str | None = None
    """Album tag; defaults to the article's source name."""
    loudness: float = DEFAULT_LOUDNESS_LUFS
    """Integrated loudness of the episode in LUFS; every clip is brought to it."""
    intro: Path | None = None
    """An audio file played before the title (the show's sound), at most ``audio.SHOW_SOUND_MAX_S``."""
    outro: Path | None = None
    """An audio file played after the last words."""
    chapter_pictures: Mapping[str, ChapterPicture] | None = None
    """The figures' pictures by the address the article gives them, already fetched (a feed build
    publishes them itself); None: fetched here with the lead image, when ``fetch_cover``."""

    def __post_init__(self) -> None:
        if self.bitrate not in BITRATES:
            raise ValueError(f"bitrate must be one of {', '.join(map(str, BITRATES))} kbps, got {self.bitrate}")
        check_loudness(self.loudness)


def choose_profile(article: Article, options: EpisodeOptions) -> VoiceProfile:
    return load_profile(options.profile) if options.profile else profile_for_language(article.language)


def _engine_setting(setting: str, profile: VoiceProfile) -> str:
    """``auto`` reads a language only the offline voice speaks offline, without asking the service."""
    return "espeak" if setting == "auto" and "edge" not in profile.voices else setting


def plan(article: Article, options: EpisodeOptions) -> Script:
    """The script an episode would read, without synthesising anything."""
    return build_script(article, choose_profile(article, options), max_segment_bytes=options.max_segment_bytes)


SIDECARS: dict[str, tuple[str, Callable[[Script, Timeline], str]]] = {
    "vtt": (".vtt", lambda script, timeline: to_vtt(timeline, script.language)),
    "srt": (".srt", lambda script, timeline: to_srt(timeline, script.language)),
    "chapters": (".chapters.json", lambda script, timeline: to_chapters_json(timeline, script.article.title)),
    # never plain .txt: that could be the article itself
    "txt": (".transcript.txt", lambda script, _timeline: to_transcript(script)),
    "words": (".transcript.json", lambda _script, timeline: to_json_transcript(timeline)),
}
"""Sidecar kind → (file ending, writer). Keep the README's list of output files in sync."""

EPISODE_ENDINGS = (".mp3", *(ending for ending, _ in SIDECARS.values()))
"""Every file ending an episode is written with: the MP3 and its sidecars."""
TRANSCRIPT_ENDING = SIDECARS["txt"][0]


def sidecar_paths(destination: Path) -> dict[str, Path]:
    """Where the captions, chapters and transcript of an episode at ``destination`` go."""
    stem = destination.with_suffix("")
    return {kind: Path(f"{stem}{ending}") for kind, (ending, _) in SIDECARS.items()}


def refuse_overwriting(article_path: Path | None, destination: Path, *, named: bool) -> None:
    """Refuse to make an episode at ``destination`` that would replace the article being read
    (``article_path``; None for standard input) or a file of the user's that happens to share a name.

    ``named`` says the user chose the MP3's name (``-o FILE.mp3``): that file may be replaced, as
    ``-o`` asks, unless it is the article. Every other file (the MP3 named after the article, and
    the sidecars) may replace only audiocast's own: an MP3 carrying audiocast's encoder tag, and
    the sidecars beside such an MP3 (captions and transcripts carry no mark of their own).
    """
    outputs = [destination, *sidecar_paths(destination).values()]
    for path in outputs:
        if article_path is not None and _same_file(path, article_path):
            raise PublishError(f"{path}: is the article being read; write the episode elsewhere with -o")
    existing = [path for path in outputs[1:] if path.exists()]
    if not named and destination.exists():
        existing.insert(0, destination)
    if existing and not (destination.is_file() and written_by_audiocast(destination)):
        raise PublishError(
            f"{existing[0]}: already exists and audiocast did not make it; move it away, "
            "or write the episode elsewhere with -o"
        )


def _same_file(path: Path, other: Path) -> bool:
    try:
        return path.samefile(other)
    except OSError:  # one of them does not exist
        return False


def make_episode(
    article: Article,
    destination: Path,
    options: EpisodeOptions = EpisodeOptions(),
    progress: Progress | None = None,
    engine: Engine | None = None,
) -> Episode:
    """Read ``article`` aloud into a tagged MP3 at ``destination`` with captions, chapters and transcript.

    ``engine`` is the engine already chosen for a run of several episodes (so ``auto`` checks the
    service once per run); by default it is made from ``options.engine``.
    """
    profile = choose_profile(article, options)
    script = build_script(article, profile, max_segment_bytes=options.max_segment_bytes)
    cover, pictures = _pictures(script, options)
    script = with_pictures(script, {url: picture.address for url, picture in pictures.items()})
    engine = engine or make_engine(_engine_setting(options.engine, profile))
    rate = engine.sample_rate  # the show's sound is checked before anything is synthesised
    intro, outro = (b"" if path is None else show_sound(path, rate) for path in (options.intro, options.outro))
    if progress:
        progress.stage(f"Reading aloud ({engine.name})", total=len(script.segments))

    synthesized = 0

    def read_aloud(add: ClipArrived) -> None:
        def arrived(index: int, clip: Clip, cached: bool) -> None:
            nonlocal synthesized
            add(index, clip)
            synthesized += not cached
            if progress:
                progress.advance()

        synthesize(script, profile, engine, options.synth, on_clip=arrived)
        if progress:
            progress.stage("Assembling and encoding")

    sidecars = sidecar_paths(destination)
    with atomic_paths([destination, *sidecars.values()]) as (temporary, *sidecar_temporaries):
        timeline = assemble_as_made(
            script, rate, temporary, read_aloud,
            bitrate=options.bitrate, loudness=options.loudness, intro=intro, outro=outro,
        )  # fmt: skip
        texts = {kind: render(script, timeline) for kind, (_, render) in SIDECARS.items()}
        write_tags(temporary, _tags(script, timeline, options, cover, pictures, transcript=texts["txt"]))
        for kind, sidecar in zip(sidecars, sidecar_temporaries, strict=True):
            sidecar.write_text(texts[kind], encoding="utf-8")
        size = temporary.stat().st_size
    return Episode(
        script=script,
        audio_path=str(destination),
        duration_ms=timeline.duration_ms,
        size_bytes=size,
        timeline=timeline,
        sidecars={kind: str(path) for kind, path in sidecars.items()},
        clips_synthesized=synthesized,
    )


def _tags(
    script: Script,
    timeline: Timeline,
    options: EpisodeOptions,
    cover: bytes,
    pictures: Mapping[str, ChapterPicture],
    *,
    transcript: str,
) -> EpisodeTags:
    article = script.article
    jpegs = {picture.address: picture.jpeg for picture in pictures.values()}
    return EpisodeTags(
        title=article.title,
        artist=article.author or article.source_name or _package,
        album=options.album or article.source_name or _package,
        date=article.published,
        language=article.language,
        summary=article.summary,
        link=article.link,
        transcript=transcript,
        cover_jpeg=cover,
        chapters=timeline.chapters,
        figures=tuple((figure, jpegs[figure.image]) for figure in figure_chapters(timeline)),
    )


def _pictures(script: Script, options: EpisodeOptions) -> tuple[bytes, Mapping[str, ChapterPicture]]:
    """The cover art and the figures' chapter pictures, decided before any synthesis so a bad
    ``--cover`` fails fast. The article's pictures (lead image and figures together, each fetched
    once) are fetched only when no cover is given: ``--cover`` makes a run that fetches no image."""
    if options.cover is not None or not options.fetch_cover:
        return _cover(options), options.chapter_pictures or {}
    images = script.article.images
    lead = images[0] if images else None
    figures = figure_images(script) if options.chapter_pictures is None else ()
    art = article_art(lead, figures, options.synth.cache_dir)
    pictures = chapter_pictures(art, figures) if options.chapter_pictures is None else options.chapter_pictures
    return (art[lead] if lead in art else default_cover()), pictures


def _cover(options: EpisodeOptions) -> bytes:
    """The cover art the user gave (``--cover``), else the default."""
    if options.cover is None:
        return default_cover()
    try:
        return to_jpeg(options.cover.read_bytes())
    except OSError as exc:
        raise ReadError(f"{options.cover}: cover image cannot be read ({exc.strerror})") from exc
    except ImageTooLarge as exc:
        log.warning("%s %s; using the default cover", options.cover, exc)
        return default_cover()
    except ValueError as exc:
        raise ReadError(f"{options.cover}: {exc}; use a JPEG or PNG") from exc
