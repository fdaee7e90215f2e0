"""The transcripts beside the captions: plain text (exactly what is read, paragraph by paragraph) and
the Podcasting 2.0 JSON transcript (every word with its time)."""

from __future__ import annotations

import json

from ..language import writes_without_spaces
from ..models import Script, Timeline

JSON_TRANSCRIPT_VERSION = "1.0.0"
"""Podcasting 2.0 transcripts, JSON format (podcast-namespace docs/examples/transcripts/transcripts.md)."""


def to_transcript(script: Script) -> str:
    """Segments joined into paragraphs; pieces of one long paragraph stay together."""
    joiner = "" if writes_without_spaces(script.language) else " "
    paragraphs: list[str] = []
    current: list[str] = []
    for segment in script.segments:
        current.append(segment.text)
        if segment.ends_paragraph:
            paragraphs.append(joiner.join(current))
            current = []
    if current:
        paragraphs.append(joiner.join(current))
    return "\n\n".join(paragraphs) + "\n"


def to_json_transcript(timeline: Timeline) -> str:
    """The Podcasting 2.0 JSON transcript: one entry per word, in seconds, with its punctuation.

    ``speaker`` is the voice that reads it (``narrator``, or ``aside`` for captions read aloud). A
    segment whose engine timed no words is given by its sentences instead. One entry a line keeps
    the file readable without the size of a fully indented one.
    """
    entries = (
        json.dumps(
            {"speaker": item.segment.voice, "startTime": cue.start_ms / 1000, "endTime": cue.end_ms / 1000,
             "body": cue.text},
            ensure_ascii=False,
        )
        for item in timeline.placed
        for cue in item.words or item.cues
    )  # fmt: skip
    return f'{{"version": "{JSON_TRANSCRIPT_VERSION}", "segments": [\n' + ",\n".join(entries) + "\n]}\n"
