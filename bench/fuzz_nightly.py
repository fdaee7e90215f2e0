"""Nightly fuzzing: the properties of tests/fuzz_props.py with many more examples and long inputs.

Run:  .venv/bin/python bench/fuzz_nightly.py [--examples N] [--longest CHARS] [--budget SECONDS]
                                          [--no-shrink] [--only NAME ...]
      (or AUDIOCAST_FUZZ_EXAMPLES=N)

For each property prints how many examples ran, how many audiocast refused with its own error and
how many wrote outputs that passed, the slowest example, and each failure Hypothesis found,
shrunk, labelled as a known issue-11 bug (``KNOWN_BUGS``), as slow (one example over ``--budget``
seconds: time growing faster than the input) or as NEW. Exits 1 when a NEW failure was found.
Each run is random; a failure prints the example to reproduce it with. Shrinking re-runs slow
examples many times, so long runs are best made with --no-shrink.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzz_props import KNOWN_BUGS, Property, properties


@dataclass
class Tally:
    outcomes: Counter[str] = field(default_factory=Counter)
    slowest: float = 0.0
    failures: list[str] = field(default_factory=list)
    known: bool = True


class SlowExample(AssertionError):
    """One example took longer than the budget: time that grows faster than the input (issue 11)."""


def _give_up(signum: int, frame: object) -> None:
    raise SlowExample("over the per-example budget")


def run(prop: Property, examples: int, *, shrink: bool, budget: float) -> Tally:
    tally = Tally()
    signal.signal(signal.SIGALRM, _give_up)

    def body(value: Any) -> None:
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, budget)
        try:
            tally.outcomes[prop.check(value)] += 1
        except BaseException:
            tally.outcomes["failed"] += 1
            raise
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            tally.slowest = max(tally.slowest, time.perf_counter() - started)

    test = settings(
        max_examples=examples, deadline=None, database=None, report_multiple_bugs=True, print_blob=True,
        suppress_health_check=list(HealthCheck), phases=list(Phase) if shrink else [Phase.generate],
    )(given(prop.strategy)(body))  # fmt: skip
    try:
        test()
    except BaseException as error:
        errors = list(error.exceptions) if isinstance(error, BaseExceptionGroup) else [error]
        known = KNOWN_BUGS.get(prop.name)
        for found in errors:
            is_known = known is not None and isinstance(found, known[0])
            slow = isinstance(found, SlowExample)
            tally.known = tally.known and (is_known or slow)
            label = f"known: {known[1]}" if is_known and known else "slow: issue 11 linear time" if slow else "NEW"
            notes = "\n".join(getattr(found, "__notes__", []))
            tally.failures.append(f"[{label}] {type(found).__name__}: {str(found)[:400]}\n{notes[:3000]}")
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=int(os.environ.get("AUDIOCAST_FUZZ_EXAMPLES", "1000")))
    parser.add_argument("--longest", type=int, default=100_000, help="longest run of one character (default 100k)")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds one example may take (default 120)")
    parser.add_argument("--no-shrink", action="store_true", help="report failures unshrunk (faster)")
    parser.add_argument("--only", nargs="*", default=None, help="property names to run (default: all)")
    options = parser.parse_args()
    logging.disable(logging.WARNING)  # skipped entries are counted as refused, not printed
    chosen = [prop for prop in properties(options.longest) if not options.only or prop.name in options.only]
    new = False
    print(f"{'property':<22} {'examples':>8} {'refused':>8} {'written':>8} {'failed':>7} {'slowest':>9}")
    for prop in chosen:
        started = time.perf_counter()
        tally = run(prop, options.examples, shrink=not options.no_shrink, budget=options.budget)
        total = sum(tally.outcomes.values())
        print(
            f"{prop.name:<22} {total:>8} {tally.outcomes['refused']:>8} {tally.outcomes['written']:>8} "
            f"{tally.outcomes['failed']:>7} {tally.slowest:>8.2f}s  ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        for failure in tally.failures:
            print("    " + failure.replace("\n", "\n    "), flush=True)
        new = new or not tally.known
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
