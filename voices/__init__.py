"""Bundled voice profiles (TOML), shipped inside the wheel as ``audiocast.voices``."""
