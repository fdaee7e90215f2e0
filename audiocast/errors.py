"""Every failure a user can cause or meet, as one tree.

    AudiocastError            the one line the CLI prints as ``error: <message>``
    ├── ReadError             the input is missing, empty, binary, too big or not an article
    ├── ProfileError          a voice profile or feed definition is malformed (names the key)
    ├── ScriptError           an article has nothing speakable
    ├── SynthError            a voice engine failed
    │   ├── EngineUnavailable     the engine cannot run here (offline, library missing)
    │   └── TransientSynthError   worth retrying: timeouts, throttling, truncated audio
    │       └── NoAudioError          the voice answered with no audio (blocked voice → fallback)
    ├── AssembleError         decoding or encoding audio failed
    ├── IncompleteBuild       a feed build published what it could, but some articles failed
    ├── PublishError          tags, captions, feed or state could not be written
    │   └── OutputWriteError      a file could not be written (also an OSError, for callers that
    │                             treat disk trouble as recoverable, like the clip cache)
    ├── ServeError            the static server could not start
    ├── ClusterError          a Dask cluster could not be reached or was lost mid-build
    └── WorkersDied           every Dask worker that tried an episode died (killed, out of memory)

Messages name the input first and end with the fix where there is one. Misuse by a caller
(wrong types, a malformed rate string) raises the built-in ``TypeError``/``ValueError`` instead.
"""

from __future__ import annotations


class AudiocastError(Exception):
    """Base of every error the CLI reports as one line."""


class ReadError(AudiocastError):
    """The source could not be read as an article."""


class ProfileError(AudiocastError):
    """A voice profile or feed definition is malformed."""


class ScriptError(AudiocastError):
    """An article produced nothing to read aloud."""


class SynthError(AudiocastError):
    """A voice engine failed to produce audio."""


class EngineUnavailable(SynthError):
    """The engine cannot be used on this machine or network."""


class TransientSynthError(SynthError):
    """A failure that may go away on retry."""


class NoAudioError(TransientSynthError):
    """The engine answered but sent no audio; when it persists the voice may be blocked."""


class AssembleError(AudiocastError):
    """Audio could not be decoded, joined or encoded."""


class IncompleteBuild(AudiocastError):
    """Some articles of a feed build failed; the others were published, and the next build retries them."""


class PublishError(AudiocastError):
    """An output file could not be written."""


class OutputWriteError(PublishError, OSError):
    """A file could not be written: missing folder, no permission, disk full."""


class ServeError(AudiocastError):
    """The static server could not start or serve."""


class ClusterError(AudiocastError):
    """The Dask scheduler a build fans its episodes out to could not be reached, or was lost."""


class WorkersDied(AudiocastError):
    """The workers that tried one episode all died making it; the build goes on with the others."""
