"""Matched controls (对照组): propensity or Mahalanobis nearest neighbours, greedy or optimal."""

from shidian.engine.matching.match import match_controls
from shidian.engine.matching.spec import BalanceRow, MatchResult, MatchSpec, Pair

__all__ = ["BalanceRow", "MatchResult", "MatchSpec", "Pair", "match_controls"]
