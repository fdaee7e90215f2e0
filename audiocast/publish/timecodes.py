"""Timestamp formats shared by the caption and chapter writers."""

from __future__ import annotations


def vtt_time(ms: int) -> str:
    """WebVTT timestamp.

    >>> vtt_time(3_723_004)
    '01:02:03.004'
    """
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def vtt_ms(stamp: str) -> int:
    """Milliseconds of a WebVTT timestamp (the hours may be left out).

    >>> vtt_ms(vtt_time(3_723_004)), vtt_ms("02:03.004")
    (3723004, 123004)
    """
    *hours, minutes, seconds = stamp.split(":")
    whole, millis = seconds.split(".")
    return ((int(hours[0]) if hours else 0) * 60 + int(minutes)) * 60_000 + int(whole) * 1000 + int(millis)


def srt_time(ms: int) -> str:
    """SubRip timestamp (comma before the milliseconds).

    >>> srt_time(61_500)
    '00:01:01,500'
    """
    return vtt_time(ms).replace(".", ",")


def clock(ms: int) -> str:
    """A duration as people read it.

    >>> clock(345_230), clock(3_723_004)
    ('5:45', '1:02:03')
    """
    hours, rest = divmod(ms // 1000, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
