"""Loudness as podcasts measure it (ITU-R BS.1770-4, EBU R128), in numpy on one clip of mono PCM.

``normalise`` brings a clip's integrated loudness to a target and keeps its true peak (the peak
between samples, found by 4× oversampling) under a ceiling with a smooth look-ahead limiter, so
every clip, narrator or aside, edge or espeak, is heard at the same level before the one encode.
The K-weighting filter is applied in the frequency domain (exact for a clip padded with silence
longer than the filter's ringing), which is what keeps this fast enough to run on every clip.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numpy.typing import NDArray

Samples = NDArray[np.float64]

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
_LIMITER_CEILING_DBTP = TRUE_PEAK_LIMIT_DBTP - 1.0  # MP3 encoding adds up to about 0.7 dB to peaks
_LIMITER_WINDOW_S = 0.004  # look-ahead, and again the release: the gain never changes in a click
_MAKEUP_DB = 0.5  # the most gain given back after limiting
_OVERSAMPLING = 4
_HALF_TAPS = 16  # the interpolator reads 16 samples on each side of the point
_BLOCK_S, _STEP_S = 0.4, 0.1  # BS.1770 gating blocks: 400 ms, overlapping by 75%
_ABSOLUTE_GATE_LUFS = -70.0
_RELATIVE_GATE_LU = -10.0
_TAIL_S = 0.2  # silence after the clip for the K-weighting filter to ring out in
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
    return _gated(_block_energies(_k_weighted(samples, sample_rate), sample_rate))


def normalise(pcm: bytes, sample_rate: int, target_lufs: float) -> bytes:
    """Mono 16-bit PCM at ``target_lufs`` with true peaks under the limiter's ceiling; silence as it was."""
    samples = np.frombuffer(pcm, dtype="<i2") / _FULL_SCALE
    energies = _block_energies(_k_weighted(samples, sample_rate), sample_rate)
    loudness = _gated(energies)
    if loudness is None:
        return pcm
    gain = _amplitude(target_lufs - loudness)
    peaks = _true_peaks(samples, near=_amplitude(_LIMITER_CEILING_DBTP - 6) / gain)
    # The limiter aims a little low, so that giving back what it takes off the loudest syllables
    # (once, below) cannot lift a peak over the ceiling.
    limiter = _limiter_gain(peaks * gain * _amplitude(_MAKEUP_DB), sample_rate)
    # The K-weighted energy each block keeps is estimated from the plain energy it keeps: the
    # limiter's gain moves far slower than the filter responds, so the ratio is the same.
    kept = _block_energies(samples * limiter, sample_rate) / np.maximum(_block_energies(samples, sample_rate), 1e-20)
    after = _gated(energies * kept * gain * gain)
    if after is not None:
        gain *= _amplitude(min(target_lufs - after, _MAKEUP_DB))
    levelled = samples * gain * limiter
    return bytes(np.clip(np.rint(levelled * _FULL_SCALE), -32768, 32767).astype("<i2").tobytes())


def _limiter_gain(peaks: Samples, sample_rate: int) -> Samples:
    """The gain that keeps true ``peaks`` at or under the limiter's ceiling: it dips smoothly around
    each peak (look-ahead and release of a few milliseconds) and is 1 elsewhere."""
    ceiling = _amplitude(_LIMITER_CEILING_DBTP)
    if peaks.size == 0 or float(peaks.max()) <= ceiling:
        return np.ones(peaks.size)
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, ceiling))
    needed[1:] = np.minimum(needed[1:], needed[:-1])  # a peak between two samples binds both
    width = 2 * round(_LIMITER_WINDOW_S * sample_rate) + 1
    # Each sample's gain is a mean of minima that all include its own need, so it never exceeds it.
    return _moving_mean(_moving_min(needed, width), width)


def true_peak_dbtp(samples: Samples) -> float:
    """The highest peak between samples, in dB of full scale (4× oversampled, as BS.1770 does)."""
    peaks = _true_peaks(samples, near=0.0)
    top = float(peaks.max()) if peaks.size else 0.0
    return 20 * math.log10(top) if top > 0 else -math.inf


def _true_peaks(samples: Samples, *, near: float) -> Samples:
    """For each sample, the largest magnitude from it up to the next, by band-limited 4× oversampling
    around every sample louder than ``near`` (elsewhere the sample's own magnitude: a peak between
    samples exceeds its neighbours by far less than the 6 dB margin callers leave)."""
    peaks: Samples = np.abs(samples)
    loud = np.flatnonzero(peaks > near)
    if loud.size:
        padded = np.pad(samples, (_HALF_TAPS - 1, _HALF_TAPS))
        neighbourhoods = np.lib.stride_tricks.sliding_window_view(padded, 2 * _HALF_TAPS)[loud]
        between = np.abs(neighbourhoods @ _interpolators()).max(axis=1)
        peaks[loud] = np.maximum(peaks[loud], between)
    return peaks


@functools.cache
def _interpolators() -> Samples:
    """Hann-windowed sinc taps giving the signal at n + 1/4, n + 1/2 and n + 3/4 from the samples
    n - 15 … n + 16 (one column per point)."""
    offsets = np.arange(1 - _HALF_TAPS, _HALF_TAPS + 1)[:, None] - np.arange(1, _OVERSAMPLING)[None, :] / _OVERSAMPLING
    taps: Samples = np.sinc(offsets) * (0.5 + 0.5 * np.cos(np.pi * offsets / _HALF_TAPS))
    return taps


def _k_weighted(samples: Samples, sample_rate: int) -> Samples:
    """``samples`` through the K-weighting's magnitude response. Its phase is left out: it shifts
    speech by well under a millisecond, which no 400 ms block's energy notices."""
    length = _fast_length(samples.size + round(_TAIL_S * sample_rate))
    spectrum = np.fft.rfft(samples.astype(np.float32), length)  # single precision: twice as fast, ample
    cosine = np.cos(2 * np.pi * np.fft.rfftfreq(length))  # double precision: near 0 Hz the terms cancel
    response = np.ones(cosine.size)
    for numerator, denominator in (_shelf(*_SHELF, sample_rate), _high_pass(*_HIGH_PASS, sample_rate)):
        response *= _power_response(numerator, cosine) / _power_response(denominator, cosine)
    spectrum *= np.sqrt(response).astype(np.float32)
    weighted: Samples = np.fft.irfft(spectrum, length)[: samples.size].astype(np.float64)
    return weighted


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


def _block_energies(weighted: Samples, sample_rate: int) -> Samples:
    """Mean square of each 400 ms block, one starting every 100 ms; a shorter clip is one block."""
    block, step = round(_BLOCK_S * sample_rate), round(_STEP_S * sample_rate)
    if weighted.size < block:
        return np.array([float(np.mean(weighted * weighted))]) if weighted.size else np.empty(0)
    running = np.concatenate(([0.0], np.cumsum(weighted * weighted)))
    starts = np.arange(0, weighted.size - block + 1, step)
    energies: Samples = (running[starts + block] - running[starts]) / block
    return energies


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


def _fast_length(size: int) -> int:
    """The least length from ``size`` up made of the factors 2, 3 and 5, which the FFT is quick at
    (a prime length takes 50× longer).

    >>> _fast_length(441001), _fast_length(7)
    (442368, 8)
    """
    best = 1 << max(size - 1, 1).bit_length()
    fives = 1
    while fives < best:
        odd = fives
        while odd < best:
            length = odd
            while length < size:
                length *= 2
            best, odd = min(best, length), odd * 3
        fives *= 5
    return best


def _amplitude(decibels: float) -> float:
    return float(10 ** (decibels / 20))


def _energy(lufs: float) -> float:
    return float(10 ** ((lufs + 0.691) / 10))


def _lufs(energy: float) -> float:
    return -0.691 + 10 * math.log10(energy)
