"""Stratified random draws with a recorded seed (督查抽查): reproducible, no Django."""

from shidian.engine.sampling.draw import (
    Draw,
    allocate_fixed,
    allocate_proportional,
    stratified_draw,
)

__all__ = ["Draw", "allocate_fixed", "allocate_proportional", "stratified_draw"]
