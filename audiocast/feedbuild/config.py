"""Feed definitions: ``feeds/*.toml`` read into a validated ``FeedConfig``.

Owns the definition's keys (the ``KEYS`` table), their checks, and resolving relative paths
against the definition's own folder, so a build gives the same result from any working folder.
Every error is a ``ProfileError`` naming the file and the key, ending with what to write instead.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..audio import show_sound
from ..engines import ENGINE_CHOICES
from ..errors import ProfileError, ReadError
from ..fetch import is_url
from ..loudness import DEFAULT_LOUDNESS_LUFS, check_loudness
from ..profiles import bundled_profiles, load_profile
from ..publish.show import ShowInfo
from ..text import is_clean
from .url_list import is_url_list

# Apple Podcasts categories (2019+ taxonomy, podcasters.apple.com/support/1691; exact,
# case-sensitive strings). feedgen's own table is the obsolete pre-2019 list, so we check here.
# fmt: off
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News", "Daily News", "Entertainment News", "News Commentary", "Politics", "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality",
    ),
    "Science": (
        "Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics", "Natural Sciences",
        "Nature", "Physics", "Social Sciences",
    ),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"),
    "Sports": (
        "Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey", "Rugby",
        "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness", "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}
# fmt: on

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True, kw_only=True)
class FeedConfig:
    """A validated feed definition; paths are absolute, URLs end with ``/``."""

    origin: Path
    show: ShowInfo
    cover: Path | None
    source: str
    """An absolute path (folder, article file, feed file or ``.urls`` list) or an http(s) URL of a feed."""
    source_name: str = ""
    """The publisher spoken in every episode and tagged as album; empty: each article's own."""
    profile: str | None
    """A bundled profile's name or the absolute path of a profile TOML; None picks by language."""
    engine: str
    output: Path
    keep: int
    loudness: float = DEFAULT_LOUDNESS_LUFS
    """Every episode's integrated loudness in LUFS."""
    episode_art: bool = True
    """Fetch each article's lead image as its episode's art (``publish.artwork``)."""
    intro: Path | None = None
    """The show's sound before each episode's title (``audio.show_sound``)."""
    outro: Path | None = None
    """The show's sound after each episode's last words."""
    sound_digest: str = ""
    """SHA-256 of what the episodes sound like beyond the voice profile: the intro's and outro's
    content as read when the definition was loaded, and a loudness other than the default; empty
    for a feed with neither, so its episodes keep the source hashes of builds before these keys."""
    keep_on_site: int | Literal["all"] | None = None
    """How many newest episodes are made and stay published on the site (index.html and its older
    pages): ``keep`` or more, or ``"all"``; None (not given): as many as ``keep``. ``feed.xml`` and
    playlist.m3u8 list the newest ``keep`` of them."""

    @property
    def on_site(self) -> int | None:
        """How many newest episodes the site keeps; None: every one."""
        if self.keep_on_site is None:
            return self.keep
        return None if self.keep_on_site == "all" else self.keep_on_site
    edge_limit: int = 8
    """Requests to the online voice service at once across every worker of a cluster build."""

    @property
    def feed_url(self) -> str:
        return self.show.feed_url


@dataclass(frozen=True)
class _Key:
    kind: str
    required: bool
    default: Any = None
    help: str = ""


# Key → how it is checked. Keep the README's "feed TOML keys" table in sync with this one.
KEYS: dict[str, _Key] = {
    "title": _Key("text", True, help="the show's name"),
    "description": _Key("text", True, help="what the show is, up to 4000 bytes"),
    "author": _Key("text", True, help="person or organisation"),
    "email": _Key("email", True, help="owner's e-mail (itunes:owner, podcast:locked)"),
    "owner": _Key("text", False, help="owner's name; defaults to author"),
    "language": _Key("language", True, help="e.g. zh-CN or en"),
    "category": _Key("category", True, help="an Apple Podcasts category"),
    "subcategory": _Key("text", False, "", help="an Apple subcategory of category"),
    "explicit": _Key("bool", False, False),
    "link": _Key("url", False, help="the show's web page; defaults to base_url"),
    "cover": _Key("file", False, help="JPEG or PNG; generated from the title when absent"),
    "base_url": _Key("url", True, help="where the output folder will be served"),
    "source": _Key("source", True, help="folder, article file, feed file, feed URL or .urls list"),
    "source_name": _Key("text", False, "", help="publisher named in every episode; by default each article's own"),
    "profile": _Key(
        "profile", False, help="voice profile name, language tag (de-DE) or .toml path; by language when absent"
    ),
    "engine": _Key("engine", False, "auto"),
    "output": _Key("folder", True, help="output folder"),
    "keep": _Key("count", False, 50, help="how many newest episodes stay in the feed"),
    "locked": _Key("bool", False, True, help="podcast:locked: other hosts must not import the feed"),
    "loudness": _Key("loudness", False, DEFAULT_LOUDNESS_LUFS, help="every episode's loudness in LUFS"),
    "episode_art": _Key("bool", False, True, help="each article's lead image becomes its episode's art"),
    "intro": _Key("sound", False, help="short audio file played before each episode's title"),
    "outro": _Key("sound", False, help="short audio file played after each episode's last words"),
}

# The site of an archive: every episode stays on index.html and its older pages, the feed the newest.
KEYS |= {
    "keep_on_site": _Key(
        "site_count", False, help='how many newest episodes stay on the site, at least keep; "all": every one'
    ),
}

# Building on a Dask cluster (``feed build --workers/--cluster``).
KEYS["edge_limit"] = _Key("count", False, 8, help="requests to the online voices at once across a cluster build")


def load_feed_config(path: Path) -> FeedConfig:
    """Read and check a feed definition."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such feed definition") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot be read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML ({exc})") from exc
    return parse_feed_config(data, origin=path)


def parse_feed_config(data: dict[str, Any], *, origin: Path) -> FeedConfig:
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ProfileError(f"{origin}: unknown key {unknown[0]!r}; known keys: {', '.join(KEYS)}")
    values = {name: _check(origin, name, key, data.get(name)) for name, key in KEYS.items()}
    _check_subcategory(origin, values["category"], values["subcategory"])
    _check_apart(origin, values["source"], values["output"])
    _check_keep_on_site(origin, values["keep"], values["keep_on_site"])
    if len(values["description"].encode("utf-8")) > 4000:
        # Apple's limit for <description> (podcast-feed-standards §1.2).
        raise ProfileError(f"{origin}: key 'description' is longer than 4000 bytes; shorten it")
    show = ShowInfo(
        title=values["title"],
        description=values["description"],
        author=values["author"],
        owner_name=values["owner"] or values["author"],
        owner_email=values["email"],
        language=values["language"],
        category=values["category"],
        subcategory=values["subcategory"],
        explicit=values["explicit"],
        link=values["link"] or values["base_url"],
        base_url=values["base_url"],
        locked=values["locked"],
    )
    return FeedConfig(
        origin=origin,
        show=show,
        cover=values["cover"],
        source=values["source"],
        source_name=values["source_name"],
        profile=values["profile"],
        engine=values["engine"],
        output=values["output"],
        keep=values["keep"],
        loudness=values["loudness"],
        episode_art=values["episode_art"],
        intro=values["intro"],
        outro=values["outro"],
        sound_digest=_sound_digest(values["intro"], values["outro"], values["loudness"]),
        keep_on_site=values["keep_on_site"],
        edge_limit=values["edge_limit"],
    )


def _sound_digest(intro: Path | None, outro: Path | None, loudness: float) -> str:
    if intro is None and outro is None and loudness == DEFAULT_LOUDNESS_LUFS:
        return ""
    digest = hashlib.sha256(f"loudness {loudness:g}\n".encode())
    for role, path in (("intro", intro), ("outro", outro)):
        content = b"" if path is None else path.read_bytes()
        digest.update(f"{role} {len(content)}\n".encode() + content)
    return digest.hexdigest()


def normalise_base_url(value: str, where: str) -> str:
    """An absolute http(s) URL ending in ``/``, its path percent-encoded (Apple wants ASCII URLs);
    ``where`` names the setting in errors.

    >>> normalise_base_url("http://192.168.1.20:8000/example", "--base-url")
    'http://192.168.1.20:8000/example/'
    >>> normalise_base_url("https://example.org/播客/", "base_url")
    'https://example.org/%E6%92%AD%E5%AE%A2/'
    """
    parsed = urllib.parse.urlsplit(value.strip())
    if parsed.scheme not in {"http", "https"} or not parsed.hostname or parsed.query or parsed.fragment:
        raise ProfileError(f"{where} must be an absolute http(s) address such as https://example.org/podcast/")
    _check_port(parsed, where)
    path = urllib.parse.quote(parsed.path, safe="/%:@!$&'()*+,;=-._~")
    return urllib.parse.urlunsplit(parsed._replace(path=path if path.endswith("/") else path + "/"))


def _check_port(parsed: urllib.parse.SplitResult, where: str) -> None:
    """A port, when given, is a number from 1 to 65535 (``urlsplit`` only complains on access).

    >>> normalise_base_url("http://127.0.0.1:99999/x", "--base-url")
    Traceback (most recent call last):
    audiocast.errors.ProfileError: --base-url: port '99999' is not a number from 1 to 65535
    """
    try:
        valid = parsed.port != 0
    except ValueError:
        valid = False
    if not valid:
        given = parsed.netloc.rpartition(":")[2]
        raise ProfileError(f"{where}: port {given!r} is not a number from 1 to 65535")


def _check(origin: Path, name: str, key: _Key, value: Any) -> Any:
    where = f"{origin}: key {name!r}"
    if value is None:
        if key.required:
            raise ProfileError(f"{where} is missing; add it ({key.help})")
        return key.default
    return _CHECKS[key.kind](where, origin.parent, value)


def _text(where: str, base: Path, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(f"{where} must be non-empty text in quotes")
    if not is_clean(value):
        raise ProfileError(f"{where} holds a control or bidi-override character; remove it")
    return value.strip()


def _email(where: str, base: Path, value: Any) -> str:
    text = _text(where, base, value)
    if not _EMAIL.match(text):
        raise ProfileError(f"{where} must be an e-mail address such as podcast@example.org")
    return text


def _language(where: str, base: Path, value: Any) -> str:
    text = _text(where, base, value)
    if not _LANGUAGE.match(text):
        raise ProfileError(f"{where} must be a language code such as en, en-US or zh-CN")
    return text


def _category(where: str, base: Path, value: Any) -> str:
    text = _text(where, base, value)
    if text not in APPLE_CATEGORIES:
        raise ProfileError(
            f"{where}: {text!r} is not an Apple Podcasts category; use one of {', '.join(APPLE_CATEGORIES)}"
        )
    return text


def _check_apart(origin: Path, source: str, output: Path) -> None:
    """The output folder neither is nor holds the source: a build would read its own feed.xml,
    index.html and transcripts back as articles, and grow by them on every run.

    An output inside a source folder is fine: a folder source reads only the files directly in it.
    """
    if is_url(source):
        return
    if Path(source) == output:
        raise ProfileError(
            f"{origin}: key 'output' is the source folder {output}; a build would read its own files back as "
            "articles; give output a folder of its own, such as ../public/NAME"
        )
    if Path(source).is_relative_to(output):
        raise ProfileError(
            f"{origin}: key 'source': {source} is inside the output folder {output}; a build would read its own "
            "files back as articles; keep the articles outside output"
        )


def _check_subcategory(origin: Path, category: str, subcategory: str) -> None:
    allowed = APPLE_CATEGORIES[category]
    if subcategory and subcategory not in allowed:
        choices = ", ".join(allowed) or "none (leave it out)"
        raise ProfileError(f"{origin}: key 'subcategory': {subcategory!r} is not under {category!r}; use {choices}")


def _bool(where: str, base: Path, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ProfileError(f"{where} must be true or false (without quotes)")
    return value


def _url(where: str, base: Path, value: Any) -> str:
    return normalise_base_url(_text(where, base, value), where)


def _file(where: str, base: Path, value: Any) -> Path:
    path = (base / _text(where, base, value)).resolve()
    if not path.is_file():
        raise ProfileError(f"{where}: {path} does not exist; give a path relative to the definition's folder")
    return path


def _sound(where: str, base: Path, value: Any) -> Path:
    path = _file(where, base, value)
    try:
        show_sound(path, _SOUND_CHECK_RATE)
    except ReadError as exc:
        raise ProfileError(f"{where}: {exc}") from exc
    return path


_SOUND_CHECK_RATE = 8000  # any rate shows whether a file decodes and how long it lasts; this one is quick


def _folder(where: str, base: Path, value: Any) -> Path:
    return (base / _text(where, base, value)).resolve()


def _source(where: str, base: Path, value: Any) -> str:
    text = _text(where, base, value)
    if is_url(text):
        return text
    path = (base / text).resolve()
    if not path.exists() and not is_url_list(str(path)):  # `feed add` creates a missing URL list
        raise ProfileError(f"{where}: {path} does not exist; give a folder, a file or an http(s) feed address")
    return str(path)


def _profile(where: str, base: Path, value: Any) -> str:
    """A bundled profile's name or a language tag that some voice speaks, or a profile TOML (relative
    to the definition) that loads cleanly."""
    text = _text(where, base, value)
    is_path = text.endswith(".toml") or "/" in text
    chosen = str((base / text).resolve()) if is_path else text
    if is_path and not Path(chosen).is_file():
        raise ProfileError(
            f"{where}: {chosen} does not exist; use one of {', '.join(bundled_profiles())}, a language tag "
            "such as de-DE, or a .toml path relative to the definition's folder"
        )
    try:
        load_profile(chosen)
    except ProfileError as exc:
        raise ProfileError(f"{where}: {exc}") from exc
    return chosen


def _engine(where: str, base: Path, value: Any) -> str:
    text = _text(where, base, value)
    if text not in ENGINE_CHOICES:
        raise ProfileError(f"{where} must be one of {', '.join(ENGINE_CHOICES)}")
    return text


def _count(where: str, base: Path, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000:
        raise ProfileError(f"{where} must be a whole number from 1 to 10000")
    return value


def _loudness(where: str, base: Path, value: Any) -> float:
    try:
        return check_loudness(value)
    except ValueError as exc:
        raise ProfileError(f"{where}: {exc}; write it as a number, such as -16") from exc
def _site_count(where: str, base: Path, value: Any) -> int | Literal["all"]:
    """``keep_on_site``: a whole number, or ``"all"``."""
    if value == "all":
        return "all"
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ProfileError(f'{where} must be a whole number (at least keep) or "all"')
    return value


def _check_keep_on_site(origin: Path, keep: int, keep_on_site: int | str | None) -> None:
    if isinstance(keep_on_site, int) and keep_on_site < keep:
        raise ProfileError(
            f"{origin}: key 'keep_on_site' ({keep_on_site}) is less than keep ({keep}); the site lists every "
            "episode of the feed: raise it, or leave it out"
        )


_CHECKS: dict[str, Callable[[str, Path, Any], Any]] = {
    "text": _text,
    "email": _email,
    "language": _language,
    "category": _category,
    "bool": _bool,
    "url": _url,
    "file": _file,
    "folder": _folder,
    "source": _source,
    "engine": _engine,
    "profile": _profile,
    "count": _count,
    "loudness": _loudness,
    "sound": _sound,
    "site_count": _site_count,
}
