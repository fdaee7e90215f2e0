"""Benchmark of voice profile choice: deriving a profile for every locale of the edge voice snapshot.

Run:  .venv/bin/python bench/bench_profiles.py

Prints how long the first ``profile_for_language`` of each locale takes in a fresh process (the
snapshot and espeak-ng's language list are read once, then each profile is derived once), how
long the same calls take again (cached), and how many locales got a derived profile, a bundled
one, an online voice only, or an offline voice only. Ratios compare against the cached pass.
"""

from __future__ import annotations

import time

from audiocast.engines.edge_list import snapshot_voices
from audiocast.locales import Tag
from audiocast.profiles import profile_for_language


def main() -> None:
    tags = {voice["Locale"]: Tag.parse(voice["Locale"]) for voice in snapshot_voices()}
    locales = sorted(locale for locale, tag in tags.items() if tag is not None and tag.variant is None)
    started = time.perf_counter()
    profiles = [profile_for_language(locale) for locale in locales]
    cold = time.perf_counter() - started
    started = time.perf_counter()
    for locale in locales:
        profile_for_language(locale)
    warm = time.perf_counter() - started
    derived = [profile for profile in profiles if profile.derived]
    print(f"locales: {len(locales)}  derived: {len(derived)}  bundled: {len(profiles) - len(derived)}")
    print(f"online only: {sum('espeak' not in profile.voices for profile in derived)}  "
          f"offline only: {sum('edge' not in profile.voices for profile in derived)}")
    print(f"first pass: {cold * 1000:.1f} ms ({cold / len(locales) * 1000:.2f} ms a locale)")
    print(f"cached pass: {warm * 1000:.2f} ms ({cold / warm:.0f}x faster)")


if __name__ == "__main__":
    main()
