"""Which of an article's dates to believe: its sources' claims checked against the dates its text names."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
from collections import Counter
from collections.abc import Sequence

log = logging.getLogger(__name__)

_GREGORIAN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_ROC = re.compile(r"(?<!\d)(1[01]\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")
"""A Republic of China (民國) date stamp as Taiwanese sites write it: 1120801 is 2023-08-01."""
_ROC_OFFSET = 1911
_SLACK = dt.timedelta(days=366)
"""A text may name next year's dates (a summit planned for July); more than a year later contradicts."""


def text_dates(text: str) -> list[dt.date]:
    """The full calendar dates a text names.

    >>> text_dates("2023年8月1日，稿號1120801，另見 2023-08-02。")
    [datetime.date(2023, 8, 1), datetime.date(2023, 8, 2), datetime.date(2023, 8, 1)]
    """
    found = [_date(int(y), int(m), int(d)) for y, m, d in _GREGORIAN.findall(text)]
    found += [_date(int(y) + _ROC_OFFSET, int(m), int(d)) for y, m, d in _ROC.findall(text)]
    return [day for day in found if day is not None]


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> dt.datetime | None:
    """A date as front matter writes it (ISO 8601 or RFC 2822); None when it is not one.

    >>> parse_date("2001-01-01"), parse_date("2023-08-01T08:00:00+08:00").isoformat(), parse_date("soon")
    (datetime.datetime(2001, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), '2023-08-01T08:00:00+08:00', None)
    """
    text = text.strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def believable_date(claims: Sequence[dt.datetime | None], text: str, origin: str) -> dt.datetime | None:
    """The first claimed date the text does not contradict, else the date the text names most.

    A claim is contradicted when most of the full dates in the text lie more than a year after it:
    an article does not report what had not happened. Dates before it (history) never contradict.

    >>> when = believable_date([parse_date("2001-01-01")], "稿號1120801。2023年8月1日報導。", "x.md")
    >>> when.isoformat()
    '2023-08-01T00:00:00+00:00'
    """
    named = text_dates(text)
    for claim in claims:
        if claim is None:
            continue
        if not _contradicted(claim, named):
            return claim
        log.warning("%s: date %s contradicts the dates in the text; not believed", origin, claim.date())
    if not named or not any(claims):
        return None
    counts = Counter(named)
    day = max(counts, key=lambda candidate: (counts[candidate], candidate))
    log.warning("%s: dated %s from the dates in its text", origin, day)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _contradicted(claim: dt.datetime, named: list[dt.date]) -> bool:
    later = sum(day > claim.date() + _SLACK for day in named)
    return later * 2 > len(named) > 0
