"""Which engine reads a feed build, against the fake edge service on 127.0.0.1 and the real espeak-ng.

``auto`` checks the service once per build (and not at all when nothing needs it); each episode
records the engine that read it; episodes read offline are read again when edge answers, and an
offline run never replaces what edge read. An edited voice profile re-makes its episodes.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

import pytest

from audiocast.engines.edge import ENDPOINT_ENV
from audiocast.episode import EPISODE_ENDINGS
from audiocast.feedbuild.state import load_state

from .fake_edge import FakeEdge, fake_edge
from .feed_helpers import ARTICLES, build, copy_articles, episode_files, parsed, state_records, write_definition
from .test_feed_build import check_published_feed
from .test_profiles import YORUBA, reads_as

__all__ = ["fake_edge"]  # the fixture, used by name

LIBRARY = "Central library extends its evening hours"


def go_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the edge endpoint at a loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{port}/edge/v1")


def made_by(output: Path) -> dict[str, str]:
    """Episode title → the engine that read it, from the state file."""
    state = load_state(output)
    assert state is not None
    return {record.episode.title: record.made_with.engine for record in state.episodes}


def guids_and_files(output: Path) -> dict[str, tuple[str, str]]:
    return {entry.title: (entry.id, entry.enclosures[0].href) for entry in parsed(output / "feed.xml")[0].entries}


def unreachable_warnings(caplog: pytest.LogCaptureFixture) -> int:
    return sum("cannot be reached" in record.getMessage() for record in caplog.records)


def test_auto_checks_the_service_once_per_build_and_not_when_nothing_is_read(
    fake_edge: FakeEdge, tmp_path: Path
) -> None:
    definition = write_definition(tmp_path, ARTICLES, engine="auto")
    report = build(definition, tmp_path / "cache")
    assert len(report.plan.add) == 3 and fake_edge.probes == 1
    assert set(made_by(report.output).values()) == {"edge"}

    again = build(definition, tmp_path / "cache")
    assert len(again.plan.keep) == 3 and fake_edge.probes == 1  # edge read them all: nothing to check


def test_auto_offline_warns_once_per_build(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    go_offline(monkeypatch)
    definition = write_definition(tmp_path, ARTICLES, engine="auto")
    with caplog.at_level(logging.WARNING):
        report = build(definition, tmp_path / "cache")
    assert len(report.plan.add) == 3 and unreachable_warnings(caplog) == 1
    assert set(made_by(report.output).values()) == {"espeak"}


def test_engine_espeak_then_auto_offline_remakes_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    definition = write_definition(tmp_path, ARTICLES, engine="auto")
    output = build(definition, tmp_path / "cache", engine="espeak").output  # --engine espeak
    files = episode_files(output)
    go_offline(monkeypatch)

    again = build(definition, tmp_path / "cache")
    assert (len(again.plan.keep), len(again.plan.remake)) == (3, 0)
    assert episode_files(output) == files


def test_auto_reads_offline_episodes_again_with_edge_and_an_offline_run_keeps_edge_episodes(
    fake_edge: FakeEdge, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    online = os.environ[ENDPOINT_ENV]
    source = copy_articles(tmp_path / "articles", ARTICLES)
    definition = write_definition(tmp_path, source, engine="auto")
    go_offline(monkeypatch)
    output = build(definition, tmp_path / "cache").output
    offline_episodes = guids_and_files(output)
    assert set(made_by(output).values()) == {"espeak"}

    monkeypatch.setenv(ENDPOINT_ENV, online)
    upgraded = build(definition, tmp_path / "cache")
    assert len(upgraded.plan.remake) == 3 and set(made_by(output).values()) == {"edge"}
    online_episodes = guids_and_files(output)
    for title, (guid, url) in offline_episodes.items():
        assert online_episodes[title][0] == guid and online_episodes[title][1] != url  # same GUID, new file
    edge_files = episode_files(output)

    go_offline(monkeypatch)
    article = source / "library-hours.md"
    article.write_text(article.read_text().replace("nine in the evening", "ten in the evening"))
    edited = build(definition, tmp_path / "cache")
    assert [item.article.title for item in edited.plan.remake] == [LIBRARY] and len(edited.plan.keep) == 2
    assert made_by(output) == {**dict.fromkeys(offline_episodes, "edge"), LIBRARY: "espeak"}
    kept = {name: data for name, data in edge_files.items() if name in episode_files(output)}
    assert len(kept) == 2 * len(EPISODE_ENDINGS) and all(episode_files(output)[name] == data for name, data in kept.items())

    monkeypatch.setenv(ENDPOINT_ENV, online)
    again = build(definition, tmp_path / "cache")
    assert [item.article.title for item in again.plan.remake] == [LIBRARY]
    assert set(made_by(output).values()) == {"edge"}
    check_published_feed(output)


def test_an_edited_voice_profile_remakes_its_episodes_but_a_comment_does_not(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    profile = tmp_path / "voices" / "mine.toml"
    profile.parent.mkdir()
    profile.write_text((Path(__file__).resolve().parent.parent / "voices" / "en-US.toml").read_text())
    definition = write_definition(tmp_path, ARTICLES, profile="voices/mine.toml")
    monkeypatch.chdir(tmp_path.parent)  # the profile path is relative to the definition, not here
    assert len(build(definition, tmp_path / "cache").plan.add) == 3

    profile.write_text(profile.read_text() + "# a note about this profile\n")
    assert len(build(definition, tmp_path / "cache").plan.keep) == 3

    profile.write_text(profile.read_text().replace("sentence = 300", "sentence = 450"))
    remade = build(definition, tmp_path / "cache")
    assert (len(remade.plan.remake), len(remade.plan.keep)) == (3, 0)


def test_an_episode_read_by_another_version_of_the_engine_is_made_again(tmp_path: Path) -> None:
    definition = write_definition(tmp_path, ARTICLES)
    output = build(definition, tmp_path / "cache").output
    with state_records(output) as records:
        records[0]["engine_version"] = "espeak-ng 1.0"  # what an older espeak-ng recorded

    again = build(definition, tmp_path / "cache")
    assert [item.key for item in again.plan.remake] == [records[0]["key"]]


def test_an_article_no_voice_can_read_is_skipped_not_fatal(tmp_path: Path) -> None:
    source = copy_articles(tmp_path / "articles", ARTICLES)
    (source / "iroyin.txt").write_text(YORUBA, encoding="utf-8")
    reads_as(YORUBA, "yo-NG")
    report = build(write_definition(tmp_path, source), tmp_path / "cache")
    assert len(report.plan.add) == 3
    [skipped] = report.plan.skipped
    assert skipped.startswith(f"{source / 'iroyin.txt'}: no voice speaks Yoruba (yo)")


BASQUE = (
    "Udalak liburutegi berria irekiko du\n\n"
    "Bilboko udalak liburutegi berria irekiko du datorren astelehenean Santutxu auzoan. "
    "Liburutegiak hiru solairu izango ditu eta egunero zabalik egongo da goizeko bederatzietatik "
    "gaueko zortzietara. Alkateak esan duenez, auzokideek aspalditik eskatzen zuten zerbitzu hori.\n"
)


def test_auto_reads_a_language_the_service_has_no_voice_for_offline_and_keeps_it(
    fake_edge: FakeEdge, tmp_path: Path
) -> None:
    source = copy_articles(tmp_path / "articles", ARTICLES)
    (source / "liburutegia.txt").write_text(BASQUE, encoding="utf-8")
    reads_as(BASQUE, "eu-ES")  # the online voices speak no Basque; espeak-ng does
    definition = write_definition(tmp_path, source, engine="auto")

    report = build(definition, tmp_path / "cache")
    assert not report.failed and len(report.plan.add) == 4
    made = made_by(report.output)
    assert made.pop("Udalak liburutegi berria irekiko du") == "espeak" and set(made.values()) == {"edge"}
    assert not any(turn.voice.startswith("eu-") for turn in fake_edge.turns)

    again = build(definition, tmp_path / "cache")
    assert len(again.plan.keep) == 4 and not again.plan.to_make


def test_an_article_the_named_engine_cannot_read_is_skipped_not_failed_build_after_build(tmp_path: Path) -> None:
    source = copy_articles(tmp_path / "articles", ARTICLES)
    (source / "khmer.txt").write_text("ព័ត៌មាន\n\nថ្ងៃនេះមានភ្លៀងធ្លាក់នៅភ្នំពេញ។\n", encoding="utf-8")
    definition = write_definition(tmp_path, source, engine="espeak")  # espeak-ng speaks no Khmer
    for _ in range(2):
        report = build(definition, tmp_path / "cache")
        assert not report.failed and report.episodes == 3
        [skipped] = report.plan.skipped
        assert skipped == (
            f"{source / 'khmer.txt'}: the offline voice (espeak-ng) does not speak Khmer (km); "
            "use --engine edge, which needs the network"
        )
