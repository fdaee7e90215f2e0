"""Fuzzing in the suite: every hostile-input property of ``fuzz_props`` on a bounded, derandomized run.

The same properties run with many more examples and 100k-character inputs in bench/fuzz_nightly.py.
Long runs here stop at ``LONGEST`` characters so the whole file stays well under a minute.
A property that fails because of a known bug being fixed elsewhere is listed in ``KNOWN_BUGS`` and
becomes a strict xfail narrowed to the exception it raises (none after merging main); each bug
found is pinned below by its shrunk reproducer, a strict xfail while it is open.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .fuzz_props import (
    KNOWN_BUGS,
    REFUSED,
    WRITTEN,
    ArticleParts,
    Property,
    Timed,
    check_captions,
    check_reader,
    check_script,
    properties,
)

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
def test_found_markup_nested_thousands_deep_is_refused_or_read(tag: str) -> None:
    """Was a RecursionError traceback (the body walker recurses once per level); now one line or an article."""
    depth = 5_000
    assert check_reader(_page(f"<{tag}>" * depth + "Deep text." + f"</{tag}>" * depth)) in {WRITTEN, REFUSED}


def _rss_item(item: str) -> tuple[str, str]:
    return ".xml", f'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>F</title><item>{item}</item></channel></rss>'


def test_found_feed_with_an_impossible_character_reference_is_refused_or_read() -> None:
    check_reader(_rss_item("<title>&#99999999;</title><description>Some text here.</description>"))


def test_found_feed_with_a_surrogate_reference_is_refused_or_read() -> None:
    check_reader(_rss_item("<title>T</title><description>Some text &#xD800; here.</description>"))


def test_found_untitled_entry_of_only_list_items_is_refused_or_read() -> None:
    check_reader(_rss_item("<title></title><description>&lt;li&gt;only a list item&lt;/li&gt;</description>"))


def test_found_page_with_a_malformed_address_is_refused_or_read() -> None:
    check_reader(_page("<p>Some text here.</p>", link="http://[bad"))


@pytest.mark.parametrize(
    "separator",
    ["\x85", "\u2028"],
)
def test_found_line_separator_after_a_sentence_end_is_scripted(separator: str) -> None:
    check_script(ArticleParts(title="T", link="", author="", source="", blocks=(("paragraph", f"One. {separator}Two."),)))


def test_found_word_followed_by_a_run_of_combining_marks_is_captioned() -> None:
    parts = ArticleParts(title="T", link="", author="", source="", blocks=(("paragraph", "Blinken " + "\u0301" * 100),))
    check_captions(Timed(parts, ms_per_character=60, word_boundaries=False))


def test_found_long_heading_fits_one_request() -> None:
    check_script(ArticleParts(title="T", link="", author="", source="", blocks=(("heading", "字" * 1100), ("paragraph", "Body."))))
