"""The README stays true: every command and option a user has is documented, and the contract holds."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import click
import pytest

from audiocast.cli import COMMANDS, USAGE_EXIT_STATUS, cli
from audiocast.episode import sidecar_paths
from audiocast.publish.artwork import FETCH_TIMEOUT_S, MAX_IMAGE_BYTES, MAX_IMAGE_MEGAPIXELS
from audiocast.script import MAX_SPOKEN_CHARACTERS
from audiocast.sources.article import TITLE_LIMIT
from audiocast.sources.feed import FETCH_TIMEOUT, MAX_FEED_BYTES
from audiocast.sources.html_body import MAX_DEPTH
from audiocast.sources.loading import MAX_ARTICLE_BYTES, PAGE_FETCH_TIMEOUT

from .conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def all_commands() -> list[tuple[str, click.Command]]:
    found = []
    for command in COMMANDS:
        if isinstance(command, click.Group):
            found += [(f"{command.name} {name}", sub) for name, sub in command.commands.items()]
        else:
            found.append((command.name or "", command))
    return found


@pytest.mark.parametrize(("name", "command"), all_commands(), ids=[name for name, _ in all_commands()])
def test_every_command_has_help_and_is_in_the_readme(name: str, command: click.Command) -> None:
    assert command.help and command.help.strip()
    assert f"audiocast {name}" in README


@pytest.mark.parametrize(("name", "command"), all_commands(), ids=[name for name, _ in all_commands()])
def test_every_option_is_in_the_readme(name: str, command: click.Command) -> None:
    for parameter in command.params:
        if isinstance(parameter, click.Option) and parameter.help:
            longest = max(parameter.opts, key=len)
            assert longest in README, f"{name}: {longest} is not documented in README.md"


def test_global_options_are_in_the_readme() -> None:
    for parameter in cli.params:
        assert max(parameter.opts, key=len) in README


def test_readme_has_the_two_commands_and_ci_runs_the_test_one() -> None:
    commands = re.findall(r"```sh\n(python3 -m venv .venv && .+?)\n```", README)
    assert len(commands) == 2
    main_job, test_suite = commands
    assert "--engine espeak" in main_job and "feed build feeds/example.toml" in main_job
    assert test_suite in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_readme_shows_feeds_example_toml_as_it_is() -> None:
    example = (ROOT / "feeds" / "example.toml").read_text(encoding="utf-8")
    assert f"`feeds/example.toml` builds the articles\nin `examples/` into `public/example/`:\n\n```toml\n{example}```" in README


def test_the_readme_limits_are_the_codes() -> None:
    rows = {
        "an article (file,": f"| {MAX_ARTICLE_BYTES // 2**20} MB |",
        "the text one episode reads": f"| {MAX_SPOKEN_CHARACTERS:,} characters",
        "an article given as a URL": f"| {PAGE_FETCH_TIMEOUT:g} s for the whole download, {MAX_ARTICLE_BYTES // 2**20} MB |",
        "a feed given as a URL": f"| {FETCH_TIMEOUT:g} s for the whole download, {MAX_FEED_BYTES // 2**20} MB |",
        "an article's lead image": f"| {FETCH_TIMEOUT_S:g} s for the whole download, {MAX_IMAGE_BYTES // 2**20} MB |",
        "any image:": f"| {MAX_IMAGE_MEGAPIXELS} megapixels,",
        "markup nesting": f"| {MAX_DEPTH} elements deep,",
        "a title": f"| {TITLE_LIMIT} characters",
    }
    limits = README.split("## Limits", 1)[1].split("\n## ", 1)[0]
    for row, limit in rows.items():
        [line] = [line for line in limits.splitlines() if line.startswith(f"| {row}")]
        assert limit in line, line


def test_the_readme_names_the_exit_statuses_the_cli_uses(tmp_path: Path) -> None:
    errors = README.split("Errors are one line on stderr", 1)[1].split("\n\n", 1)[0]
    usage = run_cli("script", "--bogus", "x")
    (tmp_path / "empty.md").write_text("")
    failed = run_cli("script", tmp_path / "empty.md")
    assert (usage.code, failed.code) == (USAGE_EXIT_STATUS, 1)
    assert f"with exit status {failed.code};" in errors and f"and exit status {usage.code}, the Unix" in errors
    assert f"`{usage.err.strip()}`" in errors


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout")
def test_what_the_readme_episode_command_writes_is_ignored_by_git() -> None:
    [command] = re.findall(r"`\.venv/bin/audiocast episode (examples/\S+\.md) --engine espeak`", README)
    mp3 = Path(command).with_suffix(".mp3")
    written = [mp3, *sidecar_paths(mp3).values()]
    assert len(written) == 6
    ignored = subprocess.run(
        ["git", "check-ignore", *map(str, written)], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    assert ignored == list(map(str, written))
