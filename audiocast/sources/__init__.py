"""Reading articles: archive-format files, HTML pages and plain text, from a path, stdin or a URL.

``read_source`` picks the reader by content, not by file name, since archive files end in
``.md`` but carry HTML. Feed entries use ``article_from_entry`` with the same body reader.
Whatever a reader meets, the caller gets an article or a ``ReadError``: an unexpected exception on
odd input (a reader's bug) becomes one line naming the input, its traceback logged at debug level,
so a feed build skips that input and reads the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import warnings
from collections.abc import Iterator

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

from ..errors import AudiocastError, ReadError
from ..fetch import is_url
from ..models import Article
from .archive import is_archive, read_archive, take_date_line
from .article import make_article
from .html_body import MarkupTooDeep, read_blocks
from .loading import fetch_page, read_input
from .page import read_page
from .text import read_text

# A feed entry's body may be a bare address or file name; it is read as text, and bs4's warning that
# it "looks like a URL" would reach the user's terminal as a raw Python warning.
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)

__all__ = ["article_from_entry", "read_source", "read_text_as_article"]

log = logging.getLogger(__name__)

_HTML = re.compile(r"<(?:html|body|p|div|article|br|h[1-6]|img)\b", re.IGNORECASE)


def read_source(source: str) -> Article:
    """Read one article from a file path, a web page's http(s) URL, or standard input when ``source`` is ``-``."""
    if is_url(source):
        text, address = fetch_page(source)
        return read_text_as_article(text, source, address=address)
    text, name = read_input(source)
    return read_text_as_article(text, name)


def read_text_as_article(text: str, name: str, *, address: str = "") -> Article:
    """Read an article already decoded to text; ``name`` is used in error messages, ``address`` is
    where a fetched page came from (its link when the page names no canonical one)."""
    with _only_read_errors(name):
        if is_archive(text):
            return read_archive(text, name)
        if _HTML.search(text[:20_000]):
            return read_page(text, name, address=address)
        return read_text(text, name)


def article_from_entry(
    *,
    title: str,
    link: str,
    published: dt.datetime | None,
    body_html: str,
    author: str = "",
    origin: str = "",
    publisher: str | None = None,
) -> Article:
    """An Article from a feed entry's parts; the body HTML goes through the archive body reader.

    An archive date line at the top of the body is not read aloud; it dates an undated entry.
    """
    origin = origin or link or title
    with _only_read_errors(origin):
        soup = BeautifulSoup(body_html, "lxml")
        date_line = take_date_line(soup)
        return make_article(
            title=title,
            link=link,
            published=published,
            blocks=tuple(read_blocks(soup)),
            origin=origin,
            author=author,
            fallback_published=date_line,
            publisher=publisher,
        )


@contextlib.contextmanager
def _only_read_errors(name: str) -> Iterator[None]:
    try:
        yield
    except AudiocastError:
        raise
    except MarkupTooDeep as exc:
        raise ReadError(f"{name}: {exc}") from exc
    except Exception as exc:  # a reader's bug on odd input: one line, the traceback under -v
        log.debug("unexpected error reading %s", name, exc_info=True)
        problem = f"unexpected {type(exc).__name__}: {exc}"
        raise ReadError(f"{name}: could not be read ({problem}); please report it") from exc
