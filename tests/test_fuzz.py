"""Fuzzing in the suite: every hostile-input property of ``fuzz_props`` on a bounded, derandomized run.

The same properties run with many more examples and 100k-character inputs in bench/fuzz_nightly.py.
Long runs here stop at ``LONGEST`` characters so the whole file stays well under a minute.
Properties that fail today because of issue-11 bugs fixed on other branches are strict xfails
narrowed to the exception they raise, so a different failure still fails and a fix is flagged.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .fuzz_props import KNOWN_BUGS, WRITTEN, Property, check_reader, properties

LONGEST = 2_000
EXAMPLES = 25

SUITE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    report_multiple_bugs=False,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a known failure must stay cheap
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def _param(prop: Property) -> object:
    known = KNOWN_BUGS.get(prop.name)
    if known is None:
        return pytest.param(prop, id=prop.name)
    raises, reason = known
    return pytest.param(prop, id=prop.name, marks=pytest.mark.xfail(strict=True, raises=raises, reason=reason))


@pytest.mark.parametrize("prop", [_param(prop) for prop in properties(LONGEST)])
@SUITE
@given(data=st.data())
def test_hostile_input_is_refused_or_published_safely(prop: Property, data: st.DataObject) -> None:
    prop.check(data.draw(prop.strategy, label=prop.name))


# Reproducers of what fuzzing found, each shrunk to the input that shows it.


def _page(body: str, link: str = "https://example.org/a/story.html") -> tuple[str, str]:
    return ".html", (
        f'<html><head><title>T</title><meta property="og:url" content="{link}"></head>'
        f"<body><article>{body}</article></body></html>"
    )


@pytest.mark.parametrize("tag", ["div", "blockquote", "span"])
def test_found_markup_nested_thousands_deep_is_read(tag: str) -> None:
    """Was a RecursionError traceback (the body walker recursed once per level)."""
    depth = 5_000
    assert check_reader(_page(f"<{tag}>" * depth + "Deep text." + f"</{tag}>" * depth)) == WRITTEN
