"""The README stays true: every command and option a user has is documented, and the contract holds."""

from __future__ import annotations

import re

import click
import pytest

from audiocast.cli import COMMANDS, cli

from .conftest import ROOT

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
