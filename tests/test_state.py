"""The state database of a feed build: migration from the JSON state, damage, concurrency, privacy."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from audiocast.feedbuild.state import JSON_STATE, STATE_DB, load_state, open_state

from .conftest import run_cli
from .feed_helpers import ARTICLES, build, copy_articles, parsed, served_build, state_records, write_definition
from .test_serve import fetch

STATE_DATA = Path(__file__).resolve().parent / "data" / "state"
JSON_WRITTEN_BEFORE = STATE_DATA / "written-by-json-state-code.json"
"""``.audiocast-state.json`` exactly as the JSON-state code wrote it (a real build of two articles)."""


def test_a_json_state_written_by_older_audiocast_is_moved_into_the_database_once(tmp_path: Path) -> None:
    shutil.copy(JSON_WRITTEN_BEFORE, tmp_path / JSON_STATE)
    before = load_state(tmp_path)
    assert before is not None and len(before.episodes) == 2

    with open_state(tmp_path, "a guid the migrated state must not take") as store:
        assert store.state == before
    assert not (tmp_path / JSON_STATE).exists()
    assert load_state(tmp_path) == before
    with open_state(tmp_path, "another guid") as store:  # opened again: the database alone
        assert store.state == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [STATE_DB]  # no temporary or journal file


def test_the_row_of_an_episode_holds_the_fields_of_a_json_state_episode(tmp_path: Path) -> None:
    shutil.copy(JSON_WRITTEN_BEFORE, tmp_path / JSON_STATE)
    with open_state(tmp_path, "guid"):
        pass
    with state_records(tmp_path) as records:
        written = json.loads(JSON_WRITTEN_BEFORE.read_text(encoding="utf-8"))["episodes"]
        assert records == written


def test_a_feed_built_with_a_json_state_keeps_every_episode_after_migration(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, copy_articles(tmp_path / "articles", ARTICLES))
    output = build(definition, tmp_path / "cache").output
    feed = (output / "feed.xml").read_bytes()
    _as_json_state(output)

    result = run_cli("feed", "build", definition)

    assert result.code == 0, result.err
    assert "Added 0, re-made 0, removed 0, kept 3: 3 episodes in the feed." in result.out
    assert (output / "feed.xml").read_bytes() == feed
    assert not (output / JSON_STATE).exists() and (output / STATE_DB).is_file()
    state = load_state(output)
    assert state is not None and len(state.episodes) == 3


def _as_json_state(output: Path) -> None:
    """Turn the state database of ``output`` into the JSON state older audiocast kept."""
    state = load_state(output)
    assert state is not None
    with state_records(output) as records:
        document = {"version": 1, "podcast_guid": state.podcast_guid, "episodes": records}
    (output / JSON_STATE).write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (output / STATE_DB).unlink()


def _garbage(path: Path) -> None:
    path.write_bytes(b"not a database at all\n" * 300)


def _foreign(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE notes (text TEXT)")
        database.execute("INSERT INTO notes VALUES ('mine')")
    database.close()


def _malformed(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page after the first: the tables' own pages
    path.write_bytes(bytes(data))


DAMAGE = {
    "not a database": (STATE_DB, _garbage, "state file is damaged (file is not a database)"),
    "another program's database": (STATE_DB, _foreign, "not an audiocast state database"),
    "malformed pages": (STATE_DB, _malformed, "state file is damaged (database disk image is malformed)"),
    "damaged JSON state": (JSON_STATE, _garbage, "state file is damaged (Expecting value"),
}


@pytest.mark.parametrize("name", DAMAGE)
def test_a_damaged_or_foreign_state_is_one_error_and_nothing_is_touched(tmp_path: Path, name: str) -> None:
    state_name, damage, message = DAMAGE[name]
    definition = write_definition(tmp_path, copy_articles(tmp_path / "articles", ARTICLES))
    output = build(definition, tmp_path / "cache").output
    if state_name == JSON_STATE:
        _as_json_state(output)
    damage(output / state_name)
    before = {path: path.read_bytes() for path in output.rglob("*") if path.is_file()}

    result = run_cli("feed", "build", definition)

    assert result.code == 1
    assert result.err.startswith(f"error: {output / state_name}: {message}")
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert {path: path.read_bytes() for path in output.rglob("*") if path.is_file()} == before


def test_two_builds_of_one_feed_at_once_leave_one_valid_state(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, copy_articles(tmp_path / "articles", ARTICLES))
    environment = {**os.environ, "AUDIOCAST_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-c", "from audiocast.cli import main; main()", "-q", "feed", "build", str(definition)]
    builds = [subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(process.wait(timeout=300), process.stderr.read() if process.stderr else "") for process in builds]
    for process in builds:
        if process.stderr:
            process.stderr.close()

    for code, err in results:
        assert code == 0 or "another feed build is running there" in err, err
    assert 0 in [code for code, _ in results]
    output = tmp_path / "public" / "show"
    state = load_state(output)
    assert state is not None and len(state.episodes) == 3
    assert len(parsed(output / "feed.xml")[1]["episodes"]) == 3
    again = build(definition, tmp_path / "cache")
    assert (len(again.plan.to_make), len(again.plan.keep)) == (0, 3)


def test_the_state_is_one_hidden_file_that_serve_never_publishes(tmp_path: Path) -> None:
    with served_build(tmp_path, copy_articles(tmp_path / "articles", ARTICLES)) as (server, report):
        hidden = sorted(path.name for path in report.output.iterdir() if path.name.startswith("."))
        assert hidden == [".audiocast-lock", STATE_DB]  # no journal, -wal or -shm beside it between builds
        status, _, body = fetch(server, f"/show/{STATE_DB}")
        assert status == 404 and b"SQLite" not in body
        assert STATE_DB not in (report.output / "index.html").read_text(encoding="utf-8")
