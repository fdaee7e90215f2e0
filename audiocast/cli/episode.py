"""``audiocast episode`` (article → MP3 with sidecars) and ``audiocast script`` (what will be read)."""

from __future__ import annotations

import dataclasses
import json
import shlex
from pathlib import Path

import click

from ..audio import SHOW_SOUND_MAX_S
from ..cache import default_cache_dir
from ..engines import ENGINE_CHOICES
from ..episode import BITRATES, EpisodeOptions, choose_profile, make_episode, refuse_overwriting
from ..errors import ReadError
from ..feedbuild.build import slug_from_link, slugify
from ..feedbuild.engine_choice import PREFERRED
from ..fetch import is_url
from ..loudness import DEFAULT_LOUDNESS_LUFS, LOUDNESS_RANGE_LUFS
from ..models import Article, Episode
from ..profiles import VoiceProfile
from ..publish.timecodes import clock
from ..script import DEFAULT_MAX_SEGMENT_BYTES, build_script
from ..sources import read_source
from ..synth import MAX_JOBS, SynthOptions
from .progress import BarProgress

_profile_option = click.option(
    "--voice-profile", "profile", metavar="NAME|TAG|PATH",
    help="Voice profile: zh-CN, zh-TW, en-US, a language tag such as de-DE (its voices), or a .toml file. "
         "Default: picked by the article's language "
         "(a bundled profile, else one derived from the voice catalogs).",
)
_max_bytes_option = click.option(
    "--max-segment-bytes", type=click.IntRange(200, 4000), default=DEFAULT_MAX_SEGMENT_BYTES, show_default=True,
    help="Longest text sent to the voice in one request; longer paragraphs are cut at sentence ends.",
)


@click.command("episode")
@click.argument("source", metavar="ARTICLE")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="MP3 file or existing folder to write. Default: beside the article, with .mp3 "
                   "(for a URL: in the current folder, named after the address or the title).")
@click.option("--engine", type=click.Choice(ENGINE_CHOICES), default="auto", show_default=True,
              help="Voice engine: edge (online neural voices), espeak (offline), auto (edge when reachable).")
@_profile_option
@click.option("--rate", metavar="±N%", help="Speaking rate change, e.g. +15% or -10%. Default: the profile's.")
@click.option("--bitrate", type=click.Choice([str(rate) for rate in BITRATES]), default="64", show_default=True,
              help="MP3 bitrate in kbps (constant, mono).")
@click.option("--loudness", type=click.FloatRange(*LOUDNESS_RANGE_LUFS), default=DEFAULT_LOUDNESS_LUFS,
              show_default=True, metavar="LUFS",
              help="Integrated loudness (EBU R128); true peaks stay under -1 dBTP. -19 is common for mono speech.")
@click.option("--intro", type=click.Path(dir_okay=False, path_type=Path), metavar="AUDIO",
              help=f"Audio file (the show's sound, at most {SHOW_SOUND_MAX_S} s) played before the title.")
@click.option("--outro", type=click.Path(dir_okay=False, path_type=Path), metavar="AUDIO",
              help="Audio file played after the last words.")
@click.option("--jobs", type=click.IntRange(1, MAX_JOBS), default=4, show_default=True,
              help="Segments synthesised at once.")
@_max_bytes_option
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Clip cache folder. Default: $AUDIOCAST_CACHE_DIR, else the user cache folder.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write cached clips.")
@click.option("--cover", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Image to embed as cover art. Default: the article's lead image, else a bundled cover.")
@click.option("--no-fetch-cover", is_flag=True, help="Never download the article's image; use the bundled cover.")
@click.pass_context
def episode_command(
    context: click.Context,
    source: str,
    output: Path | None,
    engine: str,
    profile: str | None,
    rate: str | None,
    bitrate: str,
    loudness: float,
    intro: Path | None,
    outro: Path | None,
    jobs: int,
    max_segment_bytes: int,
    cache_dir: Path | None,
    no_cache: bool,
    cover: Path | None,
    no_fetch_cover: bool,
) -> None:
    """Read one ARTICLE aloud into a tagged MP3 with captions, chapters and a transcript.

    ARTICLE is an archive-format .md file, an HTML page, a text file, a web page's http(s) URL,
    or - for standard input.
    """
    fetched = read_source(source) if is_url(source) else None  # a page's title may name the MP3
    destination = _destination(source, output, fetched)
    article_path = None if source == "-" or fetched else Path(source)
    refuse_overwriting(article_path, destination, named=destination == output)
    try:
        options = EpisodeOptions(
            engine=engine, profile=profile, bitrate=int(bitrate), loudness=loudness, intro=intro, outro=outro,
            synth=SynthOptions(jobs=jobs, rate=rate, cache_dir=None if no_cache else cache_dir or default_cache_dir()),
            max_segment_bytes=max_segment_bytes, fetch_cover=not no_fetch_cover, cover=cover,
        )
    except ValueError as error:
        raise click.BadParameter(str(error), ctx=context) from error
    article = fetched or read_source(source)
    progress = BarProgress(enabled=not context.obj["quiet"])
    try:
        episode = make_episode(article, destination, options, progress)
    finally:
        progress.close()
    click.echo(summary(episode))
    click.echo(how_to_play(episode.audio_path))


def _destination(source: str, output: Path | None, fetched: Article | None) -> Path:
    """Where the MP3 goes; ``fetched`` is the article when ``source`` is a URL."""
    if output is None:
        if source == "-":
            raise ReadError("standard input: give the MP3 to write with -o FILE.mp3")
        return Path(f"{_url_stem(source, fetched)}.mp3") if fetched else Path(source).with_suffix(".mp3")
    if output.is_dir():
        stem = "episode" if source == "-" else _url_stem(source, fetched) if fetched else Path(source).stem
        return output / f"{stem}.mp3"
    if output.suffix.lower() != ".mp3":
        message = f"{output}: the output must be a .mp3 file or an existing folder"
        raise click.BadParameter(message, click.get_current_context(), param_hint="-o")
    return output


def _url_stem(url: str, article: Article) -> str:
    """An ASCII file name for a page's episode: from its address, else its title."""
    return slug_from_link(url) or slugify(article.title) or "episode"


def summary(episode: Episode) -> str:
    """The one line a user reads at the end: how long, how big, how many chapters, where."""
    chapters = len(episode.timeline.chapters)
    sidecars = ", ".join(Path(path).name for path in episode.sidecars.values())
    return (
        f"{episode.audio_path}: {clock(episode.duration_ms)}, {episode.size_bytes / 1_000_000:.1f} MB, "
        f"{chapters} chapter{'s' * (chapters != 1)}; beside it: {sidecars}"
    )


def how_to_play(audio_path: str) -> str:
    """The line after the summary: any audio player opens the MP3; two that run from this shell.

    >>> print(how_to_play("out/blinken news.mp3"))
    Play it in any audio player, e.g. mpv 'out/blinken news.mp3' or ffplay -nodisp -autoexit 'out/blinken news.mp3'
    >>> print(how_to_play("-today.mp3"))
    Play it in any audio player, e.g. mpv ./-today.mp3 or ffplay -nodisp -autoexit ./-today.mp3
    """
    shown = shlex.quote(f"./{audio_path}" if audio_path.startswith("-") else audio_path)  # not an option
    return f"Play it in any audio player, e.g. mpv {shown} or ffplay -nodisp -autoexit {shown}"


@click.command("script")
@click.argument("source", metavar="ARTICLE")
@_profile_option
@click.option("--engine", type=click.Choice(ENGINE_CHOICES), default="auto", show_default=True,
              help="Whose voices to name: edge, espeak, or auto for both (edge reads when reachable).")
@_max_bytes_option
@click.option("--json", "as_json", is_flag=True, help="Print the script as JSON.")
def script_command(source: str, profile: str | None, engine: str, max_segment_bytes: int, as_json: bool) -> None:
    """Show what will be read from ARTICLE, by which voices, with which pauses. Nothing is synthesised."""
    article = read_source(source)
    options = EpisodeOptions(profile=profile, max_segment_bytes=max_segment_bytes)
    chosen = choose_profile(article, options)
    script = build_script(article, chosen, max_segment_bytes=max_segment_bytes)
    engines = [name for name in ENGINE_CHOICES if name != "auto"] if engine == "auto" else [engine]
    voices = {name: _voice_names(chosen, name, must=engine != "auto") for name in engines}
    if as_json:
        document = {
            "title": article.title, "link": article.link, "published": article.published.isoformat(),
            "source": article.source_name, "language": script.language, "profile": script.profile,
            "profile_derived": chosen.derived, "engine": engine,
            "voices": {name: roles for name, roles in voices.items() if isinstance(roles, dict)},
            "segments": [dataclasses.asdict(segment) for segment in script.segments],
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    how = " (derived from the voice catalogs)" if chosen.derived else ""
    click.echo(f"profile {script.profile}{how}, language {script.language}")
    for name, roles in voices.items():
        when = " (offline, when edge cannot be reached)" if engine == "auto" and name != PREFERRED else ""
        said = roles if isinstance(roles, str) else ", ".join(f"{role} {voice}" for role, voice in roles.items())
        click.echo(f"voices {name}{when}: {said}")
    click.echo()
    for number, segment in enumerate(script.segments, start=1):
        chapter = f"  ▶ chapter: {segment.chapter}" if segment.chapter else ""
        click.echo(f"{number:3d} {segment.role:<7} {segment.voice:<8} +{segment.pause_after_ms:>4}ms{chapter}")
        click.echo(f"    {segment.text}")


def _voice_names(profile: VoiceProfile, engine: str, *, must: bool) -> dict[str, str] | str:
    """Role → voice name on ``engine``; when the engine does not speak the profile's language,
    that it does not (or the error, when that engine was asked for by name)."""
    if engine in profile.voices or must:
        profile.voice_for(engine, "narrator")  # the one-line error when it cannot
        return profile.voices[engine]
    return profile.unspoken(engine)
