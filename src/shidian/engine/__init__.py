"""Shidian's computational engine: pure functions, no Django (a test enforces it).

Selection, matching, grouping, assignment, difference-in-differences and scoring live here as
typed functions returning result dataclasses. The web apps and the `shidian` command line call
them; they never call back.
"""
