"""A feed build in process with the online voice makes several episodes at once, their requests
sharing one pool of ``--jobs``: many short articles keep every allowed connection busy, and the
feed is the one made an episode at a time, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from audiocast.feedbuild import build as build_module

from .conftest import run_cli
from .fake_edge import FakeEdge, fake_edge
from .feed_helpers import episode_files, feed_without_dates, write_definition

__all__ = ["fake_edge"]  # the fixture, used by name


def _short_articles(folder: Path, count: int) -> Path:
    """``count`` articles of one paragraph each: an episode alone has too few requests to fill the pool."""
    folder.mkdir()
    for number in range(count):
        (folder / f"short-{number}.md").write_text(
            f"<!--{1701121143000 + number * 86_400_000}-->\n"
            f"[Harbour news number {number}](https://news.example.org/a/short-{number}.html)\n------\n\n"
            f"<p>The harbour ferry number {number} returns to service on Monday after its winter repairs.</p>\n",
            encoding="utf-8",
        )
    return folder


def test_episodes_read_online_share_one_pool_of_requests(
    tmp_path: Path, fake_edge: FakeEdge, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = _short_articles(tmp_path / "articles", 8)
    fake_edge.latency = (0.05, 0.1)

    def build(name: str, at_once: int) -> tuple[Path, int]:
        monkeypatch.setattr(build_module, "ONLINE_EPISODES_AT_ONCE", at_once)
        fake_edge.reset()
        (tmp_path / name).mkdir()
        definition = write_definition(tmp_path / name, articles, engine="edge")
        result = run_cli("feed", "build", definition, "--jobs", "8", "--cache-dir", tmp_path / name / "cache")
        assert result.code == 0, result.err
        return tmp_path / name / "public" / "show", fake_edge.max_active

    alone, most_alone = build("one-at-a-time", 1)
    together, most_together = build("together", 4)
    assert most_alone < most_together <= 8
    assert episode_files(together) == episode_files(alone)
    assert feed_without_dates(together) == feed_without_dates(alone)
