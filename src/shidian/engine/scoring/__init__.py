"""Scoring for standards (指标体系): the model, item scoring and roll-ups, validation, file formats.

Pure functions, no Django: the web app, the command line and the workbook ingest all call these.
"""

from shidian.engine.scoring.files import read_standard
from shidian.engine.scoring.formats import (
    dump_yaml,
    load_yaml,
    standard_from_dict,
    standard_to_dict,
)
from shidian.engine.scoring.messages import MESSAGES, AnswerError, problem
from shidian.engine.scoring.model import (
    MAX_LENGTHS,
    Dimension,
    Direction,
    Indicator,
    Item,
    Level,
    Method,
    Problem,
    Standard,
    Threshold,
)
from shidian.engine.scoring.score import (
    SheetScore,
    check_score,
    missing_answers,
    score_item,
    score_sheet,
)
from shidian.engine.scoring.validate import validate_standard
from shidian.engine.scoring.xlsx import read_xlsx, write_xlsx

__all__ = [
    "MAX_LENGTHS",
    "MESSAGES",
    "AnswerError",
    "Dimension",
    "Direction",
    "Indicator",
    "Item",
    "Level",
    "Method",
    "Problem",
    "SheetScore",
    "Standard",
    "Threshold",
    "check_score",
    "dump_yaml",
    "load_yaml",
    "missing_answers",
    "problem",
    "read_standard",
    "read_xlsx",
    "score_item",
    "score_sheet",
    "standard_from_dict",
    "standard_to_dict",
    "validate_standard",
    "write_xlsx",
]
