"""Shidian (试点): pilot-then-roll-out programmes for education bureaus."""

__version__ = "0.1.0"
