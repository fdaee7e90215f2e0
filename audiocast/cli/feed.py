"""``audiocast feed build``: build or update a podcast feed from a feed definition, then say where it is;
``audiocast feed add``: list more article addresses in the definition's ``.urls`` source, then build."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..engines import ENGINE_CHOICES
from ..errors import IncompleteBuild, ProfileError
from ..feedbuild import BuildOptions, BuildReport, FeedConfig, build_feed, load_feed_config
from ..feedbuild.build import EPISODES_DIR
from ..feedbuild.config import normalise_base_url
from ..feedbuild.url_list import URL_LIST_SUFFIX, add_urls, address_problem, is_url_list
from ..publish.playlist import PLAYLIST_FILE
from ..publish.show import FEED_FILE, INDEX_FILE
from ..synth import MAX_JOBS
from .progress import BarProgress

log = logging.getLogger(__name__)


class _FeedProgress(BarProgress):
    """A clip bar per episode; which episode is being made is logged by the builder itself."""

    def episode(self, number: int, total: int, title: str) -> None:
        self.close()


@click.group("feed")
def feed_group() -> None:
    """Podcast feeds: turn a folder, feed or list of articles into a feed any podcast app can subscribe to."""


def _build_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options every command that builds takes: where it is published, the voice, parallel synthesis."""
    options = [
        click.option(
            "--base-url",
            metavar="URL",
            help="Publish for this address instead of the definition's base_url, e.g. http://192.168.1.20:8000/example/.",
            callback=lambda _context, _option, value: _checked_base_url(value),
        ),
        click.option(
            "--engine",
            type=click.Choice(ENGINE_CHOICES),
            help="Voice engine, overriding the definition: edge (online), espeak (offline), auto.",
        ),
        click.option(
            "--jobs",
            type=click.IntRange(1, MAX_JOBS),
            default=4,
            show_default=True,
            help="Segments synthesised at once (with --workers/--cluster: per worker, shared by its episodes).",
        ),
        click.option(
            "--workers",
            type=click.IntRange(1, 256),
            help="Make episodes on a local Dask cluster of N worker processes (needs audiocast[cluster]).",
        ),
        click.option(
            "--cluster",
            metavar="tcp://HOST:PORT",
            help="Make episodes on the Dask cluster whose scheduler is there (needs audiocast[cluster]).",
        ),
        click.option(
            "--edge-limit",
            type=click.IntRange(1, 256),
            help="Online voice requests at once across the cluster, overriding the definition's edge_limit (8).",
        ),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Clip cache folder; with --cluster, shared storage every worker uses (else each its own default).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@feed_group.command("build")
@click.argument("definition", metavar="FEED.toml", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Only show what would be added, re-made and removed; write nothing.")
@_build_options
@click.pass_context
def build_command(
    context: click.Context, /, definition: Path, dry_run: bool, **building: Any
) -> None:
    """Build or update the feed that FEED.toml defines: only new or changed articles are read aloud."""
    config = load_feed_config(definition)
    _build(context, config, _options(building, dry_run=dry_run))


@feed_group.command("add")
@click.argument("definition", metavar="FEED.toml", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("urls", metavar="URL...", nargs=-1, required=True, callback=lambda _c, _p, value: _checked_urls(value))
@_build_options
@click.pass_context
def add_command(
    context: click.Context, /, definition: Path, urls: tuple[str, ...], **building: Any
) -> None:
    """Add article URLs to the .urls list FEED.toml reads from, then build: only what is new is read aloud."""
    config = load_feed_config(definition)
    if not is_url_list(config.source):
        raise ProfileError(
            f"{definition}: its source {config.source} is not a {URL_LIST_SUFFIX} list of article addresses; "
            f'set source to a file such as "articles{URL_LIST_SUFFIX}" to add URLs'
        )
    added = add_urls(Path(config.source), urls)
    already = len(set(urls)) - len(added)
    click.echo(
        f"Listed {_count(len(added), 'new URL')} in {_shown(Path(config.source))}"
        + (f" ({already} already there)." if already else ".")
    )
    _build(context, config, _options(building))


def _options(building: dict[str, Any], *, dry_run: bool = False) -> BuildOptions:
    """The build options from the values of ``_build_options``."""
    if building["workers"] and building["cluster"]:
        raise click.UsageError("--workers and --cluster exclude each other: a local cluster, or a running one")
    cache_dir = building.pop("cache_dir")
    named = {"cache_dir": cache_dir, "cache_named": True} if cache_dir else {}
    return BuildOptions(dry_run=dry_run, **building, **named)


def _checked_urls(urls: tuple[str, ...]) -> tuple[str, ...]:
    """The URL arguments checked as they are parsed, before the list is touched: each must be what
    the list accepts on a line, so that every build reads back what was added."""
    for url in urls:
        problem = address_problem(url)
        if problem is not None:
            raise click.BadParameter(f"{url!r} {problem}", param_hint="URL")
    return urls


def _build(context: click.Context, config: FeedConfig, options: BuildOptions) -> None:
    """Build, print what changed and where it is; an article that failed makes the exit status 1."""
    progress = _FeedProgress(enabled=not (context.obj or {}).get("quiet", False))
    try:
        report = build_feed(config, options, progress)
    finally:
        progress.close()
    for line in summary_lines(report):
        click.echo(line)
    warning = serve_warning(report)
    if warning:
        log.warning(warning)
    if report.failed:
        made = len(report.plan.to_make)
        raise IncompleteBuild(
            f"{len(report.failed)} of {_count(made, 'article')} failed (listed above); the others are published, "
            "and the next build tries again"
        )


def _checked_base_url(value: str | None) -> str | None:
    """The --base-url option checked as it is parsed, before the definition is even read."""
    return normalise_base_url(value, "--base-url") if value is not None else None


def summary_lines(report: BuildReport) -> list[str]:
    """What a user reads at the end: the changes, where the files are, the address to subscribe to."""
    plan = report.plan
    lines = []
    if report.dry_run:
        lines.append("Dry run: nothing was written.")
        lines += _listing("Would add", [(i.article.published, i.article.title) for i in plan.add])
        lines += _listing("Would re-make (changed)", [(i.article.published, i.article.title) for i in plan.remake])
        lines += _listing("Would remove", [(r.episode.published, r.episode.title) for r in plan.remove])
    failed = {failure.key for failure in report.failed}
    added, remade = (sum(item.key not in failed for item in items) for items in (plan.add, plan.remake))
    counts = f"Added {added}, re-made {remade}, removed {len(plan.remove)}, kept {len(plan.keep)}"
    where = "would be in the feed" if report.dry_run else "in the feed"
    on_site = f", {report.on_site:,} on the site" if report.on_site > report.episodes else ""
    lines.append(f"{counts}: {_count(report.episodes, 'episode')} {where}{on_site}.")
    if not report.dry_run:
        lines.append(_read_aloud(report))
    if plan.too_old:
        lines.append(f"{_count(plan.too_old, 'older article')} left out (beyond keep, or keep_on_site).")
    if plan.skipped:
        lines.append(f"Skipped {_count(len(plan.skipped), 'unreadable input')}:")
        lines += [f"  {reason}" for reason in plan.skipped]
    if report.failed:
        lines.append(f"Failed {_count(len(report.failed), 'article')} (the next build tries again):")
        lines += [f"  {failure}" for failure in report.failed]
    lines.append(f"Files: {_shown(report.output)}/ ({FEED_FILE}, {INDEX_FILE}, {PLAYLIST_FILE}, {EPISODES_DIR}/)")
    lines.append(f"Subscribe in a podcast app: {report.feed_url}")
    hint = _how_to_publish(report)
    return [*lines, hint] if hint else lines


def _read_aloud(report: BuildReport) -> str:
    cached = report.segments - report.clips
    from_cache = f" ({cached} more from the clip cache)" if cached else ""
    return f"Read aloud {_count(report.clips, 'clip')}{from_cache}."


def _listing(heading: str, entries: list[tuple[dt.datetime, str]]) -> list[str]:
    if not entries:
        return []
    return [f"{heading}:"] + [f"  {published:%Y-%m-%d} {title}" for published, title in entries]


def _count(number: int, noun: str) -> str:
    """
    >>> _count(1, "clip"), _count(3, "clip")
    ('1 clip', '3 clips')
    """
    return f"{number} {noun}{'s' * (number != 1)}"


def _how_to_publish(report: BuildReport) -> str | None:
    """Serve it from here when the address is this machine or the LAN; else upload it there.

    None when ``audiocast serve`` cannot serve the output at the address (``serve_warning`` says why).
    """
    parts = urllib.parse.urlsplit(report.feed_url)
    host = parts.hostname or ""
    if not _is_served_here(host):
        return f"Upload {_shown(report.output)}/ so that it is served at {_base_url(report)}"
    root = serve_root(report.output, parts.path)
    if root is None:
        return None
    port = f" --port {parts.port}" if parts.port else ""
    listen = "" if host in {"localhost", "127.0.0.1", "::1"} else " --host 0.0.0.0"
    return f"Serve it with: audiocast serve {_shown(root)}{listen}{port}"


def serve_warning(report: BuildReport) -> str | None:
    """Why ``audiocast serve`` cannot serve the output at the address in feed.xml, and the two fixes."""
    parts = urllib.parse.urlsplit(report.feed_url)
    if not _is_served_here(parts.hostname or "") or serve_root(report.output, parts.path) is not None:
        return None
    wanted = parts.path.removesuffix("feed.xml")
    instead = urllib.parse.urlunsplit(parts._replace(path=f"/{urllib.parse.quote(report.output.name)}/"))
    return (
        f"audiocast serve cannot serve {_shown(report.output)}/ at {wanted}, where base_url puts it: it serves "
        f"a folder under its own name; make the output folder end in {urllib.parse.unquote(wanted).strip('/')}, "
        f"or set base_url to {instead}"
    )


def serve_root(output: Path, feed_path: str) -> Path | None:
    """The folder to give ``audiocast serve`` so that ``feed_path`` (the URL path of feed.xml) is
    ``output/feed.xml``, or None when none can be: the output's own path must end with that path.

    >>> serve_root(Path("/srv/public/example"), "/example/feed.xml")
    PosixPath('/srv/public')
    >>> serve_root(Path("/srv/out"), "/feed.xml"), serve_root(Path("/srv/out"), "/multi/feed.xml")
    (PosixPath('/srv/out'), None)
    >>> serve_root(Path("/srv/播客/2024"), "/%E6%92%AD%E5%AE%A2/2024/feed.xml")
    PosixPath('/srv')
    """
    segments = [urllib.parse.unquote(part) for part in feed_path.split("/")[:-1] if part]
    root = output
    for segment in reversed(segments):
        if root.name != segment:
            return None
        root = root.parent
    return root


def _base_url(report: BuildReport) -> str:
    return report.feed_url.removesuffix("feed.xml")


def _is_served_here(host: str) -> bool:
    return host == "localhost" or _is_local_address(host)


def _is_local_address(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def _shown(path: Path) -> str:
    """A path relative to the working folder when it lies inside it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
