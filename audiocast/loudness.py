"""Loudness as podcasts measure it (ITU-R BS.1770-4, EBU R128), in numpy on one clip of mono PCM.

``normalise`` brings a clip's integrated loudness to a target and keeps its true peak (the peak
between samples, found by 4× oversampling) under a ceiling with a smooth look-ahead limiter, so
every clip, narrator or aside, edge or espeak, is heard at the same level before the one encode.
The K-weighting filter is applied to the spectrum of each 100 ms step (Parseval: no filtered
signal is ever made), and the limiter works only around the peaks that need it, which is what
keeps this cheap enough to run on every clip while the episode is encoded.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

Samples = NDArray[np.floating[Any]]
Indices = NDArray[np.intp]

DEFAULT_LOUDNESS_LUFS = -16.0
"""Apple's podcast guidance; -19 is the other common choice for mono speech."""
LOUDNESS_RANGE_LUFS = (-24.0, -14.0)
"""Targets accepted: from broadcast (ATSC A/85's -24) to the loudest streaming norm (-14)."""


def check_loudness(target: float) -> float:
    """``target`` when it is a loudness audiocast makes episodes at; else ValueError saying which are.

    >>> check_loudness(-30)
    Traceback (most recent call last):
    ValueError: loudness must be from -24 to -14 LUFS (podcasts use -16, or -19 for mono speech), got -30
    """
    low, high = LOUDNESS_RANGE_LUFS
    if isinstance(target, bool) or not isinstance(target, int | float) or not low <= target <= high:
        raise ValueError(
            f"loudness must be from {low:g} to {high:g} LUFS (podcasts use {DEFAULT_LOUDNESS_LUFS:g}, "
            f"or -19 for mono speech), got {target!r}"
        )
    return float(target)


TRUE_PEAK_LIMIT_DBTP = -1.0
"""What the episode's true peak must stay under, after MP3 encoding."""
_LIMITER_CEILING_DBTP = TRUE_PEAK_LIMIT_DBTP - 1.5  # MP3 encoding adds up to about 1.1 dB to peaks (seen: -0.9 dBTP)
_LIMITER_WINDOW_S = 0.004  # look-ahead, and again the release: the gain never changes in a click
_ROUNDS, _TOLERANCE_LU = 8, 0.05  # of limiting and giving back what the limiter took
_MAX_GIVE_BACK_DB = 3.0  # more limiting than that, and the MP3 encode lifts peaks over the limit
_SEARCH_MARGIN_DB = 3.0  # true peaks are looked for as if the gain were this much higher
_ENCODER_LOSS_LU = 0.3  # what the MP3 encode takes off the loudness (its low-pass), measured
_OVERSAMPLING = 4
_HALF_TAPS = 16  # the interpolator reads 16 samples on each side of the point
_STEP_S, _STEPS_PER_BLOCK = 0.1, 4  # BS.1770 gating blocks: 400 ms, overlapping by 75%
_ABSOLUTE_GATE_LUFS = -70.0
_RELATIVE_GATE_LU = -10.0
_FULL_SCALE = 32768.0

# K-weighting: a high shelf (+4 dB above about 1.5 kHz, the head's effect) then a high-pass (the
# RLB curve), as (gain dB, Q, corner Hz); biquads from the analogue prototypes, so any sample
# rate is exact (the standard tabulates 48 kHz only). The constants are pyloudnorm's.
_SHELF = (4.0, 1 / math.sqrt(2), 1500.0)
_HIGH_PASS = (0.0, 0.5, 38.0)


def integrated_loudness(samples: Samples, sample_rate: int) -> float | None:
    """Gated loudness in LUFS of ``samples`` (floats, full scale ±1); None for silence.

    >>> tone = np.sin(2 * np.pi * 1000 * np.arange(48000) / 48000)
    >>> round(integrated_loudness(tone, 48000), 1)  # a full-scale 1 kHz sine: -3.0 LUFS by definition
    -3.0
    """
    return _gated(_block_energies(_weighted_step_energies(samples, sample_rate), samples.size, sample_rate))


def normalise(pcm: bytes, sample_rate: int, target_lufs: float) -> bytes:
    """Mono 16-bit PCM at ``target_lufs`` once encoded, with true peaks under the limiter's ceiling;
    silence as it was."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / np.float32(_FULL_SCALE)
    step = _step(sample_rate)
    energies = _heard_blocks(_weighted_step_energies(samples, sample_rate), step)
    loudness = _gated(energies)
    if loudness is None:
        return pcm
    aim = target_lufs + _ENCODER_LOSS_LU
    plain = _heard_blocks(_plain_step_energies(samples, step), step)
    gain_db, limited, limiter = _limited_to(aim, loudness, samples, energies, plain, sample_rate)
    gain = _amplitude(gain_db)
    levelled = samples * np.float32(gain)
    levelled[limited] *= limiter.astype(np.float32)
    return bytes(np.clip(np.rint(levelled * np.float32(_FULL_SCALE)), -32768, 32767).astype("<i2").tobytes())


def _limited_to(
    aim: float, loudness: float, samples: Samples, energies: Samples, plain: Samples, sample_rate: int
) -> tuple[float, Indices, Samples]:
    """The gain (dB) that brings ``samples`` (with K-weighted and ``plain`` heard block
    ``energies``) to ``aim`` LUFS once the limiter has held their true peaks to its ceiling, and
    where and by how much it limits them. The limiter takes energy off the loudest syllables, the
    more the louder the clip is made, so the gain is found in a few secant steps."""
    gain_db, searched_db, slope = aim - loudness, -math.inf, 1.0
    previous_db, previous_after = gain_db, 0.0
    for round_ in range(_ROUNDS):
        if gain_db > searched_db:  # the true peaks so far were found for a lower gain
            searched_db = gain_db + _SEARCH_MARGIN_DB
            loud, peaks = _true_peaks(samples, near=_amplitude(_LIMITER_CEILING_DBTP - 6 - searched_db))
        limited, limiter = _limiter_gain(loud, peaks * _amplitude(gain_db), samples.size, sample_rate)
        if not limited.size:
            break
        kept = _kept(samples, limited, limiter, plain, _step(sample_rate))
        after = _gated(energies * kept * _amplitude(2 * gain_db))
        if after is None or abs(aim - after) < _TOLERANCE_LU or round_ == _ROUNDS - 1:
            break
        if round_:
            slope = min(max((after - previous_after) / (gain_db - previous_db), 0.1), 1.0)
        previous_db, previous_after = gain_db, after
        gain_db = min(gain_db + (aim - after) / slope, aim - loudness + _MAX_GIVE_BACK_DB)
        if gain_db == previous_db:
            break
    return gain_db, limited, limiter


def _heard_blocks(step_energies: Samples, step: int) -> Samples:
    """The energies of the blocks a meter sees over a clip between pauses: every block that holds
    any of it, so also those that run into the silence on either side (they count on a short clip)."""
    edge = _STEPS_PER_BLOCK - 1
    padded = np.pad(step_energies, edge)
    return _block_energies(padded, padded.size * step, step * round(1 / _STEP_S))


def _plain_step_energies(samples: Samples, step: int) -> Samples:
    frames = _in_steps(samples, step)
    energies: Samples = (frames * frames).sum(axis=1, dtype=np.float64)
    return energies


def _limiter_gain(loud: Indices, peaks: Samples, size: int, sample_rate: int) -> tuple[Indices, Samples]:
    """Where the gain that keeps true ``peaks`` (at the samples ``loud``, of ``size``) at or under
    the limiter's ceiling is below 1, and that gain: it dips smoothly around each peak (look-ahead
    and release of a few milliseconds) and is 1 elsewhere, which is most of a clip.

    The gain is worked out on the stretches within reach of a peak only, laid end to end: each
    keeps a full reach of gain 1 at both ends, so no window sees across from one to the next.
    """
    ceiling = _amplitude(_LIMITER_CEILING_DBTP)
    over = peaks > ceiling
    if not over.any():
        return np.empty(0, dtype=np.intp), np.empty(0)
    # A peak between two samples (``peaks`` holds the largest from each sample up to the next) binds both.
    bound = np.concatenate((loud[over], np.minimum(loud[over] + 1, size - 1)))
    needed = np.concatenate((ceiling / peaks[over],) * 2)
    width = 2 * round(_LIMITER_WINDOW_S * sample_rate) + 1
    near = _within(np.unique(bound), width - 1, size)
    dips = np.ones(near.size)
    np.minimum.at(dips, np.searchsorted(near, bound), needed)
    # Each sample's gain is a mean of minima that all include its own need, so it never exceeds it.
    return near, _moving_mean(_moving_min(dips, width), width)


def _within(points: Indices, reach: int, size: int) -> Indices:
    """Every index of ``range(size)`` at most ``reach`` from one of the sorted ``points``, in order.

    >>> _within(np.array([2, 3, 20]), 2, 22).tolist()
    [0, 1, 2, 3, 4, 5, 18, 19, 20, 21]
    """
    gaps = np.flatnonzero(np.diff(points) > 2 * reach)
    starts = np.maximum(points[np.concatenate(([0], gaps + 1))] - reach, 0)
    ends = np.minimum(points[np.concatenate((gaps, [points.size - 1]))] + reach, size - 1)
    lengths = ends - starts + 1
    firsts = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    within: Indices = firsts + np.arange(int(lengths.sum()))
    return within


def _kept(samples: Samples, limited: Indices, limiter: Samples, plain: Samples, step: int) -> Samples:
    """The share of each heard block's energy (``plain``, unweighted) the limiter keeps. Its gain
    moves far slower than the K-weighting responds, so the share of the weighted energy is the
    share of the plain energy."""
    taken = np.zeros(-(-samples.size // step))
    np.add.at(taken, limited // step, samples[limited] ** 2 * (1 - limiter * limiter))
    kept: Samples = 1 - _heard_blocks(taken, step) / np.maximum(plain, 1e-20)
    return kept


def true_peak_dbtp(samples: Samples) -> float:
    """The highest peak between samples, in dB of full scale (4× oversampled, as BS.1770 does)."""
    _, peaks = _true_peaks(samples, near=0.0)
    top = float(peaks.max()) if peaks.size else 0.0
    return 20 * math.log10(top) if top > 0 else -math.inf


def _true_peaks(samples: Samples, *, near: float) -> tuple[Indices, Samples]:
    """The samples louder than ``near`` or just before one, and for each the largest magnitude from
    it up to the next, by band-limited 4× oversampling around it. Quieter samples are left out: a peak between
    samples exceeds its neighbours by far less than the 6 dB margin callers leave."""
    above = np.abs(samples) > near
    above[:-1] |= above[1:]  # the stretch up to a loud sample can peak too
    loud = np.flatnonzero(above)
    if not loud.size:
        return loud, np.empty(0)
    padded = np.pad(samples.astype(np.float32), (_HALF_TAPS - 1, _HALF_TAPS))
    neighbourhoods = np.lib.stride_tricks.sliding_window_view(padded, 2 * _HALF_TAPS)[loud]
    # einsum, not @: BLAS would spread this small product over threads that spin beside the encoder
    between = np.abs(np.einsum("ij,jk->ik", neighbourhoods, _interpolators())).max(axis=1)
    peaks: Samples = np.maximum(np.abs(samples[loud]), between)
    return loud, peaks


@functools.cache
def _interpolators() -> Samples:
    """Hann-windowed sinc taps giving the signal at n + 1/4, n + 1/2 and n + 3/4 from the samples
    n - 15 … n + 16 (one column per point)."""
    offsets = np.arange(1 - _HALF_TAPS, _HALF_TAPS + 1)[:, None] - np.arange(1, _OVERSAMPLING)[None, :] / _OVERSAMPLING
    taps: Samples = np.sinc(offsets) * (0.5 + 0.5 * np.cos(np.pi * offsets / _HALF_TAPS))
    return taps.astype(np.float32)  # single precision: the peaks are wanted to a hundredth of a dB


def _weighted_step_energies(samples: Samples, sample_rate: int) -> Samples:
    """The K-weighted energy (sum of squares) of each 100 ms step of ``samples``, the last one
    padded with silence: by Parseval, from each step's spectrum through the K-weighting's power
    response. The filter's ringing wraps round within its step instead of running into the next,
    which moves a step's energy by far less than a 400 ms block's loudness notices."""
    step = _step(sample_rate)
    spectra = np.fft.rfft(_in_steps(samples, step), axis=1)  # single precision: twice as fast, ample
    power = spectra.real * spectra.real + spectra.imag * spectra.imag
    energies: Samples = power.astype(np.float64) @ _step_weights(step, sample_rate)
    return energies


def _in_steps(samples: Samples, step: int) -> Samples:
    """``samples`` in single precision as rows of ``step``, the last one padded with silence."""
    frames = np.zeros(-(-samples.size // step) * step, dtype=np.float32)
    frames[: samples.size] = samples
    return frames.reshape(-1, step)


@functools.cache
def _step_weights(step: int, sample_rate: int) -> Samples:
    """What each bin of a step's spectrum adds to its K-weighted energy: the power response, with
    Parseval's factors (bins other than 0 Hz and Nyquist stand for two, and 1/step)."""
    cosine = np.cos(2 * np.pi * np.fft.rfftfreq(step))
    response = np.ones(cosine.size)
    for numerator, denominator in (_shelf(*_SHELF, sample_rate), _high_pass(*_HIGH_PASS, sample_rate)):
        response *= _power_response(numerator, cosine) / _power_response(denominator, cosine)
    response[1 : (step + 1) // 2] *= 2
    weights: Samples = response / step
    return weights


def _power_response(taps: tuple[float, float, float], cosine: Samples) -> Samples:
    """|t0 + t1 z⁻¹ + t2 z⁻²|² on the unit circle, where ``cosine`` is cos ω."""
    t0, t1, t2 = taps
    power = t0 * t0 + t1 * t1 + t2 * t2 + 2 * (t0 * t1 + t1 * t2) * cosine + 2 * t0 * t2 * (2 * cosine * cosine - 1)
    clamped: Samples = np.maximum(power, 0.0)  # the high-pass's zero at 0 Hz rounds to a hair under
    return clamped


def _gated(energies: Samples) -> float | None:
    """BS.1770's gated mean of block energies, in LUFS: blocks under -70 LUFS, then those 10 LU under
    the mean of the rest, are left out. None when nothing is left."""
    gated = energies[energies > _energy(_ABSOLUTE_GATE_LUFS)]
    if gated.size == 0:
        return None
    gated = gated[gated > _energy(_lufs(float(np.mean(gated))) + _RELATIVE_GATE_LU)]
    return _lufs(float(np.mean(gated)))


_Biquad = tuple[tuple[float, float, float], tuple[float, float, float]]


def _shelf(gain_db: float, q: float, corner_hz: float, sample_rate: int) -> _Biquad:
    a = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * corner_hz / sample_rate
    alpha, cos = math.sin(w0) / (2 * q), math.cos(w0)
    root = 2 * math.sqrt(a) * alpha
    numerator = (a * ((a + 1) + (a - 1) * cos + root), -2 * a * ((a - 1) + (a + 1) * cos),
                 a * ((a + 1) + (a - 1) * cos - root))  # fmt: skip
    denominator = ((a + 1) - (a - 1) * cos + root, 2 * ((a - 1) - (a + 1) * cos), (a + 1) - (a - 1) * cos - root)
    return numerator, denominator


def _high_pass(_gain_db: float, q: float, corner_hz: float, sample_rate: int) -> _Biquad:
    w0 = 2 * math.pi * corner_hz / sample_rate
    alpha, cos = math.sin(w0) / (2 * q), math.cos(w0)
    return ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2), (1 + alpha, -2 * cos, 1 - alpha)


def _block_energies(step_energies: Samples, size: int, sample_rate: int) -> Samples:
    """Mean square of each 400 ms block (four steps), one starting every 100 ms, from the energies
    of the steps of ``size`` samples; a clip shorter than a block is one block."""
    if size < _STEPS_PER_BLOCK * _step(sample_rate):
        return np.array([float(step_energies.sum()) / size]) if size else np.empty(0)
    whole = size // _step(sample_rate) - _STEPS_PER_BLOCK + 1  # blocks that end inside the clip
    running = np.concatenate(([0.0], np.cumsum(step_energies)))
    energies: Samples = (running[_STEPS_PER_BLOCK : _STEPS_PER_BLOCK + whole] - running[:whole]) / (
        _STEPS_PER_BLOCK * _step(sample_rate)
    )
    return energies


def _step(sample_rate: int) -> int:
    return round(_STEP_S * sample_rate)


def _moving_min(values: Samples, width: int) -> Samples:
    """The minimum over a centred window of odd ``width`` at each position, in linear time
    (van Herk–Gil-Werman); outside the array counts as 1.

    >>> _moving_min(np.array([1.0, 0.5, 1.0, 1.0, 0.2]), 3).tolist()
    [0.5, 0.5, 0.5, 0.2, 0.2]
    """
    half = width // 2
    padded_length = -(-(values.size + width - 1) // width) * width
    padded = np.pad(values, (half, padded_length - values.size - half), constant_values=1.0)
    blocks = padded.reshape(-1, width)
    prefix = np.minimum.accumulate(blocks, axis=1).ravel()
    suffix = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    minima: Samples = np.minimum(suffix[: values.size], prefix[width - 1 : width - 1 + values.size])
    return minima


def _moving_mean(values: Samples, width: int) -> Samples:
    """The mean over a centred window of odd ``width`` at each position; outside the array counts as 1."""
    half = width // 2
    running = np.concatenate(([0.0], np.cumsum(np.pad(values, half, constant_values=1.0))))
    means: Samples = (running[width:] - running[:-width]) / width
    return means


def _amplitude(decibels: float) -> float:
    return float(10 ** (decibels / 20))


def _energy(lufs: float) -> float:
    return float(10 ** ((lufs + 0.691) / 10))


def _lufs(energy: float) -> float:
    return -0.691 + 10 * math.log10(energy)
