"""The command line: parses flags, shows progress and calls one library function per command.

Every ``AudiocastError`` becomes one ``error: …`` line on stderr and exit status 1; ``-v`` adds
the traceback. A mistake in the command line itself (click's usage errors) is one ``error: …``
line too, with exit status 2, the Unix convention for misuse (grep, argparse, click), so a script
can tell "called wrongly" from "the run failed". Each subcommand lives in its own module and is
registered in ``COMMANDS``.
"""

from __future__ import annotations

import logging
import re
import signal
import sys
import traceback
from typing import Any

import click

from .. import atomic
from ..errors import AudiocastError
from .episode import episode_command, script_command
from .feed import feed_group
from .serve import serve_command
from .voices import voices_command

COMMANDS: list[click.Command] = [episode_command, script_command, serve_command, voices_command, feed_group]
"""Every subcommand, in help order. Keep the README's command list in sync."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More detail; -v also shows tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars, only warnings and errors.")
@click.version_option(package_name="audiocast")
@click.pass_context
def cli(context: click.Context, verbose: int, quiet: bool) -> None:
    """Turn written news articles into listenable audio: MP3 episodes and podcast feeds."""
    level = logging.WARNING if quiet else logging.DEBUG if verbose > 1 else logging.INFO
    handler = logging.StreamHandler(sys.stderr)  # the current stderr, also when run in-process by tests
    handler.setFormatter(_LowercaseLevel())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    context.obj = {"verbose": verbose, "quiet": quiet}


for _command in COMMANDS:
    cli.add_command(_command)


class _LowercaseLevel(logging.Formatter):
    """``warning: …`` lines, matching the ``error: …`` line the CLI prints."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {super().format(record)}"


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: one line per error; quiet on Ctrl-C, SIGTERM and a closed pipe.

    click itself turns Ctrl-C into ``Abort`` and swallows a closed stdout (EPIPE).
    """
    arguments = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGTERM, _exit_on_terminate)
    try:
        return cli.main(args=arguments, prog_name="audiocast", standalone_mode=False)
    except AudiocastError as error:
        if any(re.fullmatch(r"-v+|--verbose", argument) for argument in arguments):
            traceback.print_exc(file=sys.stderr)
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.exceptions.NoArgsIsHelpError as error:
        error.show()  # the help text, as `audiocast` alone asks for
        sys.exit(error.exit_code)
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx else "audiocast"
        click.echo(f"error: {_one_line(error.format_message())}; see '{command} --help'", err=True)
        sys.exit(USAGE_EXIT_STATUS)
    except click.ClickException as error:
        click.echo(f"error: {_one_line(error.format_message())}", err=True)
        sys.exit(error.exit_code)


USAGE_EXIT_STATUS = 2
"""A command line that cannot be run (click's usage errors). Keep the README's error paragraph in sync."""


def _one_line(message: str) -> str:
    """click's message as the rest of an ``error:`` line: one line, lower-case start, no full stop.

    >>> _one_line("No such option '--bogus'.")
    "no such option '--bogus'"
    >>> _one_line("URL is bad.")
    'URL is bad'
    """
    text = " ".join(message.split()).removesuffix(".")
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _exit_on_terminate(_signal: int, _frame: object) -> None:
    """Turn SIGTERM into SystemExit, so temporary files are removed on the way out."""
    atomic.terminate(128 + signal.SIGTERM)
