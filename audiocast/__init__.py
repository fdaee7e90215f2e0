"""audiocast: turn written news into listenable audio — MP3 episodes, captions, chapters and feeds.

The stages, each a plain function over plain values::

    read_source(path)               -> Article
    build_script(article, profile)  -> Script
    synthesize(script, profile, engine) -> list[Clip]
    assemble(script, clips, path)   -> Timeline
    make_episode(article, path, options) -> Episode   (all of the above plus tags and sidecars)
"""

from __future__ import annotations

from .audio import assemble
from .episode import EpisodeOptions, make_episode
from .errors import AudiocastError
from .profiles import load_profile
from .script import build_script
from .sources import read_source
from .synth import synthesize

__all__ = [
    "AudiocastError",
    "EpisodeOptions",
    "assemble",
    "build_script",
    "load_profile",
    "make_episode",
    "read_source",
    "synthesize",
]
