"""The readings cache: a folder source's articles read before are taken from it, and only while
neither the file nor the reading code changed."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from pathlib import Path

import pytest

from audiocast.feedbuild.readings import READINGS_FILE
from audiocast.feedbuild.sources import read_article_files, read_items

from .feed_helpers import ARTICLES, MORE, copy_articles

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _change_cached(cache: Path, assignment: str, *values: str) -> None:
    """Change every cached reading (``SET assignment``), as another audiocast or another file would have."""
    with contextlib.closing(sqlite3.connect(cache / READINGS_FILE)) as database, database:
        database.execute(f"UPDATE readings SET {assignment}", values)


def test_articles_read_from_the_cache_are_the_articles_read_from_the_files(tmp_path: Path) -> None:
    folder = copy_articles(tmp_path / "articles", ARTICLES, MORE, EXAMPLES)
    uncached = read_items(str(folder), timeout=5)
    first = read_items(str(folder), timeout=5, cache_dir=tmp_path / "cache")
    again = read_items(str(folder), timeout=5, cache_dir=tmp_path / "cache")
    assert len(uncached.items) == 6
    assert first == again == uncached


def test_a_cached_article_is_taken_without_reading_its_file_again(tmp_path: Path) -> None:
    folder = copy_articles(tmp_path / "articles", ARTICLES)
    read_items(str(folder), timeout=5, cache_dir=tmp_path / "cache")
    _change_cached(tmp_path / "cache", "article = replace(article, ?, ?)", "Harbour ferries", "Cached ferries")

    titles = {item.article.title for item in read_items(str(folder), timeout=5, cache_dir=tmp_path / "cache").items}
    assert "Cached ferries return after winter repairs" in titles


@pytest.mark.parametrize("change", ["the file", "the reading code"])
def test_a_changed_file_or_reading_code_is_read_again(tmp_path: Path, change: str) -> None:
    folder = copy_articles(tmp_path / "articles", ARTICLES)
    read_items(str(folder), timeout=5, cache_dir=tmp_path / "cache")
    _change_cached(tmp_path / "cache", "article = replace(article, ?, ?)", "Harbour ferries", "Cached ferries")
    if change == "the file":
        _change_cached(tmp_path / "cache", "content_hash = ?", "the hash of an older version of the file")
    else:
        _change_cached(tmp_path / "cache", "reader = ?", "an older audiocast")

    again = read_items(str(folder), timeout=5, cache_dir=tmp_path / "cache")
    assert again == read_items(str(folder), timeout=5)


def test_a_damaged_cache_is_passed_by_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = copy_articles(tmp_path / "articles", ARTICLES)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / READINGS_FILE).write_bytes(b"not a database\n" * 400)

    with caplog.at_level(logging.WARNING):
        read = read_items(str(folder), timeout=5, cache_dir=tmp_path / "cache")
    assert read == read_items(str(folder), timeout=5)
    assert "cache of articles read before cannot be used" in caplog.text


def test_a_file_that_cannot_be_read_is_not_cached_and_warns_again(tmp_path: Path) -> None:
    folder = copy_articles(tmp_path / "articles", ARTICLES)
    (folder / "empty.md").write_text("<!--1701121143000-->\n[Nothing](https://example.org/n)\n------\n")
    for _ in range(2):
        read = read_items(str(folder), timeout=5, cache_dir=tmp_path / "cache")
        assert len(read.items) == 3 and len(read.skipped) == 1


def test_threads_reading_at_once_each_keep_their_own_warnings_and_log_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A Dask worker's threads read article files at once: each gets back the warnings of its own
    files, once each, and none reach the worker's log (the build logs them, in the files' order)."""
    files = [
        (f"{thread}-{number}.md",
         f"[Undated {thread} {number}](https://example.org/u/{thread}/{number})\n------\n\n"
         f"<p>The harbour ferry {thread} {number} returns after its winter repairs.</p>\n".encode())
        for thread in range(4) for number in range(30)
    ]  # fmt: skip
    results: dict[int, list[tuple[str, ...]]] = {}
    start = threading.Barrier(4)

    def read(thread: int) -> None:
        start.wait()
        results[thread] = [warnings for _, warnings in read_article_files(files[thread * 30 : (thread + 1) * 30])]

    with caplog.at_level(logging.WARNING):
        readers = [threading.Thread(target=read, args=(number,)) for number in range(4)]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
    for thread, warnings in results.items():
        assert [len(one) for one in warnings] == [1] * 30
        assert all(f"{thread}-{number}.md: no date" in one[0] for number, one in enumerate(warnings))
    assert not [record for record in caplog.records if "no date" in record.getMessage()]
    assert logging.getLogger("audiocast").propagate
