"""``audiocast voices``: the voices each engine offers, marking the ones the bundled profiles use."""

from __future__ import annotations

import textwrap

import click

from ..engines import VoiceCatalog, VoiceEntry, voice_catalog


@click.command("voices")
@click.option("--language", metavar="TAG", help="Only voices for this language, e.g. zh, zh-TW, de-DE or en.")
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 60),
    default=5.0,
    show_default=True,
    help="Seconds to wait for the live online voice list before using the bundled snapshot.",
)
def voices_command(language: str | None, timeout: float) -> None:
    """List online (edge) and offline (espeak) voices; * marks voices the bundled profiles use."""
    try:
        catalog = voice_catalog(language, timeout=timeout)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--language") from error
    for line in render(catalog, filtered=language is not None):
        click.echo(line)


def render(catalog: VoiceCatalog, *, filtered: bool = False) -> list[str]:
    """The catalog as the lines the command prints; the espeak variants are listed only when not
    ``filtered`` by language, else one line says how they combine."""
    source = "live list" if catalog.live else "bundled snapshot, the service could not be reached"
    width = max([30, *(len(entry.name) for entry in catalog.entries)])
    lines = [f"Online voices (edge, {source}):"]
    lines += [_line(entry, width) for entry in catalog.entries if entry.engine == "edge"] or ["  (none)"]
    lines += ["", "Offline voices (espeak, always available):"]
    lines += [_line(entry, width) for entry in catalog.entries if entry.engine == "espeak"] or ["  (none)"]
    lines += _variant_lines(catalog, filtered)
    lines += ["", "* used by a bundled voice profile;  ! named by a profile but not offered"]
    return lines


def _variant_lines(catalog: VoiceCatalog, filtered: bool) -> list[str]:
    """The espeak variants, all ~150 of them; under a language filter, one line on how they combine."""
    offline = [entry.name for entry in catalog.entries if entry.engine == "espeak"]
    if filtered:
        return [
            f"  variants are appended to an offline voice ({name}+f3); 'audiocast voices' lists them"
            for name in offline[:1]
        ]
    if not catalog.variants:
        return []
    variants = f"variants, appended to any offline voice (cmn+f3): {' '.join(catalog.variants)}"
    return textwrap.wrap(variants, width=100, initial_indent="  ", subsequent_indent="    ")


def _line(entry: VoiceEntry, width: int) -> str:
    """One voice, its name padded to ``width`` so the columns line up (the longest names are 33)."""
    mark = "!" if not entry.available else "*" if entry.used_by else " "
    uses = f"  [{', '.join(entry.used_by)}]" if entry.used_by else ""
    return f"{mark} {entry.name:<{width}} {entry.gender:<7} {entry.description}{uses}".rstrip()
