"""Podcast feeds from articles: definitions (``config``), sources, the state file and the build.

load_feed_config(path)            -> FeedConfig
build_feed(config, options)       -> BuildReport   (incremental; ``dry_run`` only plans)
"""

from __future__ import annotations

from .build import BuildOptions, BuildProgress, BuildReport, Plan, build_feed
from .config import FeedConfig, load_feed_config

__all__ = ["BuildOptions", "BuildProgress", "BuildReport", "FeedConfig", "Plan", "build_feed", "load_feed_config"]
