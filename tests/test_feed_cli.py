"""``audiocast feed build`` as a user runs it: options checked before anything is built, and the
closing lines (where to subscribe, how to serve) true for the folder that was written."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_cli
from .feed_helpers import ARTICLES, write_definition


def test_jobs_beyond_the_synth_pool_are_refused_before_building(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, ARTICLES)
    result = run_cli("feed", "build", definition, "--jobs", "20")
    assert result.code == 2
    assert "Invalid value for '--jobs': 20 is not in the range 1<=x<=16." in result.err
    assert not (tmp_path / "public").exists()


@pytest.mark.parametrize("port", ["99999", "abc", "0"])
def test_a_bad_base_url_port_is_one_error_line_before_building(tmp_path: Path, port: str) -> None:
    definition = write_definition(tmp_path, ARTICLES)
    result = run_cli("feed", "build", definition, "--base-url", f"http://127.0.0.1:{port}/x")
    assert result.code == 1
    assert result.err == f"error: --base-url: port {port!r} is not a number from 1 to 65535\n"
    assert not (tmp_path / "public").exists()
