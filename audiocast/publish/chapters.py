"""Podcasting 2.0 JSON chapters (version 1.2.0) from the timeline."""

from __future__ import annotations

import json
from typing import Any

from ..models import Timeline


def to_chapters_json(timeline: Timeline, title: str) -> str:
    """The chapters file a ``podcast:chapters`` element points at.

    Times are seconds (floats), as the Podcasting 2.0 chapters spec requires.
    """
    chapters: list[dict[str, Any]] = [
        {"startTime": chapter.start_ms / 1000, "endTime": chapter.end_ms / 1000, "title": chapter.title}
        for chapter in timeline.chapters
    ]
    document = {"version": "1.2.0", "title": title, "chapters": chapters}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
