"""playlist.m3u8: the show's episodes as an extended M3U playlist, for local players and phones.

A copied or served output folder then plays in order, newest first, in any player that opens a
playlist (VLC, mpv, foobar2000, Apple Music, Android players). The format is the de facto extended
M3U, in UTF-8 as the ``.m3u8`` name says: ``#EXTM3U``, then per episode ``#EXTINF:<seconds>,<title>``
and the MP3's path relative to the playlist, so the folder works wherever it is put.

Every line break a reader might honour is removed from a title (whatever ``str.splitlines`` breaks
at, which includes U+2028 and U+2029, not only CR and LF): a title must never start a line of its
own, where ``#EXTINF`` or a path in it would be read as an entry. Paths are written as relative URI
references, percent-encoded like every link audiocast writes (RFC 8216 §4 reads each line as a
URI); episode file names are ASCII slugs, so to a local player they are plain paths.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence

from .show import ShowEpisode, newest_first

PLAYLIST_FILE = "playlist.m3u8"


def render_playlist(episodes: Sequence[ShowEpisode]) -> bytes:
    """The playlist as UTF-8 bytes, newest episode first.

    >>> from audiocast.publish.show import ShowEpisode
    >>> import datetime as dt
    >>> episode = ShowEpisode(guid="g", title="北约\\n#EXTINF:1,x", link="", summary="", language="zh",
    ...     published=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), audio="episodes/a.mp3", length=1, duration_ms=61_500)
    >>> print(render_playlist([episode]).decode("utf-8"), end="")
    #EXTM3U
    #EXTINF:62,北约 #EXTINF:1,x
    episodes/a.mp3
    """
    lines = ["#EXTM3U"]
    for episode in newest_first(episodes):
        lines.append(f"#EXTINF:{episode.duration_seconds},{one_line(episode.title)}")
        lines.append(urllib.parse.quote(episode.audio))
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def one_line(text: str) -> str:
    """``text`` with each line break (as ``str.splitlines`` finds them) replaced by a space.

    >>> one_line("a\\r\\nb\\u2028c\\x85d "), one_line("中文 עברית")
    ('a b c d', '中文 עברית')
    """
    return " ".join(part.strip() for part in text.splitlines()).strip()
