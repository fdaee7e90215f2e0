"""The episode's tag is ID3v2.3 through and through: read back from the raw bytes, as a v2.3 reader does."""

from __future__ import annotations

import struct

from .conftest import BuiltEpisode

V24_ONLY = {"ASPI", "EQU2", "RVA2", "SEEK", "SIGN", "TDEN", "TDOR", "TDRC", "TDRL", "TDTG", "TIPL", "TMCL", "TMOO",
            "TPRO", "TSOA", "TSOP", "TSOT", "TSST"}  # ID3v2.4.0-changes §3: frames v2.3 readers do not know


def v23_frames(data: bytes) -> dict[str, bytes]:
    """Top-level frame ID → body of an ID3v2.3 tag at the start of ``data`` (sizes as v2.3 writes them)."""
    assert data[:4] == b"ID3\x03", "not an ID3v2.3 tag"
    size = sum(byte << (7 * (3 - index)) for index, byte in enumerate(data[6:10]))  # syncsafe
    frames, offset = {}, 10
    while offset + 10 <= 10 + size and data[offset] != 0:  # padding is zeros
        frame_id = data[offset : offset + 4].decode("ascii")
        (length,) = struct.unpack(">I", data[offset + 4 : offset + 8])  # v2.3: a plain 32-bit size
        frames[frame_id] = data[offset + 10 : offset + 10 + length]
        offset += 10 + length
    return frames


def test_the_date_is_written_as_v23_year_and_day_frames(example_episode: BuiltEpisode) -> None:
    frames = v23_frames(example_episode.mp3.read_bytes())
    assert not V24_ONLY & set(frames)
    assert {"TIT2", "TYER", "TDAT", "APIC", "CHAP", "CTOC"} <= set(frames)
    assert frames["TYER"][1:].decode("utf-16").rstrip("\x00") == "2023"  # encoding byte, then text
    assert frames["TDAT"][1:].decode("utf-16").rstrip("\x00") == "2711"  # DDMM: 27 November
