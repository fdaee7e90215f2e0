"""Bundled binary assets (default cover art)."""
