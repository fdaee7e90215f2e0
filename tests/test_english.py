"""An English article end to end on the offline voice: the opening, asides, captions and chapters."""

from __future__ import annotations

from pathlib import Path

from .conftest import DATA, read_id3, run_cli
from .test_episode import vtt_cues


def test_english_episode(tmp_path: Path) -> None:
    output = tmp_path / "en.mp3"
    result = run_cli("episode", DATA / "read" / "english_voa.html", "-o", output, "--engine", "espeak",
                     "--no-fetch-cover")
    assert result.code == 0, result.err
    transcript = (tmp_path / "en.transcript.txt").read_text(encoding="utf-8").split("\n\n")
    assert transcript[:2] == ["Blinken heads to Brussels as NATO shores up commitment to Ukraine",
                              "VOA, November 27, 2023"]
    assert transcript[2].startswith("Washington, Secretary of State Antony Blinken")
    assert transcript[3] == ("Photo caption: Blinken boards a plane at Joint Base Andrews, Maryland, "
                             "Nov. 27, 2023.")
    assert transcript[-1].strip() == "This story was from VOA."
    cues = [text for _, _, text in vtt_cues(tmp_path / "en.vtt", line_joiner=" ")]
    # Captions follow the script's sentences, not the engine's: "Mr." and "p.m." do not end them.
    assert "Mr. Blinken will meet Dr. Lee at 6 p.m. on Tuesday." in "\n".join(cues)
    assert not any(cue in {"Mr.", "Dr.", "p.m."} or cue.endswith((" Mr.", " Dr.")) for cue in cues)
    chapters = sorted(read_id3(output).getall("CHAP"), key=lambda frame: frame.start_time)
    assert [c.sub_frames["TIT2"].text[0] for c in chapters] == [
        "Blinken heads to Brussels as NATO shores up commitment to Ukraine", "NATO-Ukraine Council"]
    assert read_id3(output)["TPE1"].text == ["VOA"]
