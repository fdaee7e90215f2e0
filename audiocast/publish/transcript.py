"""The plain-text transcript: exactly what is read, paragraph by paragraph."""

from __future__ import annotations

from ..language import writes_without_spaces
from ..models import Script


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
