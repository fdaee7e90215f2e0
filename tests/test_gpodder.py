"""A real podcast client end to end: gPodder's ``gpo`` subscribes to a built feed served by
``audiocast serve`` on 127.0.0.1, updates and downloads, and gets every episode byte for byte."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .feed_helpers import ATOM, parsed, served_build, sha256

GPO = shutil.which("gpo")

pytestmark = pytest.mark.skipif(
    GPO is None, reason="gpo (Debian package gpodder) is not installed; .ci/run installs it"
)


def gpo(home: Path, downloads: Path, *args: str) -> str:
    """Run one gpo command in a private gPodder home; fail the test on a non-zero exit."""
    assert GPO is not None
    environment = {
        key: value for key, value in os.environ.items() if "proxy" not in key.lower()
    }  # 127.0.0.1 must never go through a proxy
    environment.update(
        GPODDER_HOME=str(home), GPODDER_DOWNLOAD_DIR=str(downloads), HOME=str(home), NO_PROXY="127.0.0.1"
    )
    result = subprocess.run([GPO, *args], env=environment, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"gpo {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def test_gpodder_downloads_every_episode_byte_identical(tmp_path: Path) -> None:
    with served_build(tmp_path, ATOM) as (server, report):
        feed_url = report.feed_url
        published = {
            sha256(report.output / entry.enclosures[0].href.removeprefix(f"{server.url}show/")): entry.title
            for entry in parsed(report.feed_file)[0].entries
        }
        home, downloads = tmp_path / "gpodder", tmp_path / "downloads"
        home.mkdir()
        downloads.mkdir()

        gpo(home, downloads, "subscribe", feed_url)
        gpo(home, downloads, "update", feed_url)
        listed = gpo(home, downloads, "episodes", "--guid", feed_url)
        gpo(home, downloads, "download", feed_url)

    # gpo prints "N episodes downloaded" even when a download failed, so check the files themselves.
    files = [path for path in downloads.rglob("*") if path.is_file()]
    assert not [path for path in files if path.suffix == ".partial"], "a download did not finish"
    assert len(published) == 3
    assert {sha256(path) for path in files} == set(published)
    assert all(title in listed for title in published.values())
