"""`shidian assign` (experts to units) and `shidian reconcile` (expert scores to a ranking)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import typer

from shidian.cli.common import emit_json, print_table, progress, split_list, write_output
from shidian.engine.errors import EngineInputError


def _match_pairs(value: str | None) -> list[tuple[str, str]]:
    pairs = []
    for item in split_list(value):
        if "=" not in item:
            raise EngineInputError(
                f"--match '{item}': write UNIT_COLUMN=EXPERT_COLUMN, e.g. school_type=expertise."
            )
        left, right = (s.strip() for s in item.split("=", 1))
        pairs.append((left, right))
    return pairs


def _weights(value: str) -> float:
    parts = split_list(value)
    try:
        numbers = [float(p) for p in parts]
    except ValueError as exc:
        raise EngineInputError(f"--weights '{value}': write SELF,EXPERT, e.g. 0.3,0.7.") from exc
    if len(numbers) != 2 or min(numbers) < 0 or sum(numbers) <= 0:
        raise EngineInputError(f"--weights '{value}': write two non-negative numbers SELF,EXPERT.")
    return numbers[0] / sum(numbers)


def register(app: typer.Typer) -> None:
    @app.command(help="Assign r experts to every unit: balanced loads, no conflicts of interest.")
    def assign(
        units_file: Path = typer.Argument(..., help="Units (CSV/XLSX): id[, path, ...]."),
        experts_file: Path = typer.Argument(..., help="Experts: id, org[, org_path, min_load...]."),
        per_unit: int = typer.Option(3, "--per-unit", "-r", help="Experts per unit."),
        min_load: int | None = typer.Option(None, help="Fewest units per expert."),
        max_load: int | None = typer.Option(None, help="Most units per expert."),
        affinity: Path | None = typer.Option(None, help="Long table: expert, unit, affinity."),
        match: str | None = typer.Option(None, help="UNIT_COL=EXPERT_COL: +1 per match."),
        unit_id: str = typer.Option("id", help="Units' id column."),
        unit_path: str = typer.Option("path", help="Units' organisation path column."),
        expert_id: str = typer.Option("id", help="Experts' id column."),
        expert_org: str = typer.Option("org", help="Experts' organisation code column."),
        expert_path: str = typer.Option("org_path", help="Experts' organisation path column."),
        seed: int | None = typer.Option(None, help="Pick among equally good assignments."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Pairs (.csv/.xlsx)."),
        json_out: bool = typer.Option(False, "--json", help="Print the JSON report."),
    ) -> None:
        from shidian.engine.assignment import assign_experts, build_problem
        from shidian.engine.tables import read_table

        problem = build_problem(
            read_table(units_file, text_columns=[unit_id, unit_path]),
            read_table(experts_file, text_columns=[expert_id, expert_org, expert_path]),
            per_unit=per_unit,
            unit_id=unit_id,
            unit_path=unit_path,
            expert_id=expert_id,
            expert_org=expert_org,
            expert_path=expert_path,
            min_load=min_load,
            max_load=max_load,
            affinity=read_table(affinity) if affinity else None,
            match=_match_pairs(match),
        )
        big = problem.total_reviews * len(problem.expert_ids) > 2_000_000
        with progress("Solving the assignment", None, enabled=big and not json_out):
            result = assign_experts(problem, seed=seed)
        if output:
            write_output(result.pairs, output)
        report = {
            key: getattr(result, key)
            for key in [
                "units",
                "experts",
                "per_unit",
                "status",
                "total_affinity",
                "mean_unit_affinity",
                "lowest_unit_affinity",
                "lowest_units",
                "load_min",
                "load_max",
                "load_spread",
                "load_std",
                "eligible_pairs",
                "solve_seconds",
                "bound",
                "gap",
                "notes",
            ]
        }
        if json_out:
            report["loads"] = result.loads
            emit_json(report)
            return
        print_table(
            "Expert assignment (optimal)",
            ["figure", "value"],
            [
                ["units x experts per unit", f"{result.units} x {result.per_unit}"],
                ["experts", result.experts],
                ["eligible (unit, expert) pairs", result.eligible_pairs],
                [
                    "load min / max (spread)",
                    f"{result.load_min} / {result.load_max} ({result.load_spread})",
                ],
                ["total affinity", result.total_affinity],
                [
                    "lowest per-unit affinity",
                    f"{result.lowest_unit_affinity:.4g} ({', '.join(result.lowest_units)})",
                ],
                ["seconds", result.solve_seconds],
            ],
        )

    @app.command(help="Reconcile expert scores: aggregate, agreement, flags, final ranking.")
    def reconcile(
        scores_file: Path = typer.Argument(..., help="Scores (long): unit, expert, score."),
        unit: str = typer.Option("unit", help="Unit id column."),
        expert: str = typer.Option("expert", help="Expert id column."),
        score: str = typer.Option("score", help="Score column."),
        method: str = typer.Option("mean", help="mean | trimmed | median."),
        trim: float = typer.Option(0.2, help="Share cut from each end for --method trimmed."),
        max_range: float = typer.Option(10.0, help="Flag units whose experts differ by more."),
        self_file: Path | None = typer.Option(None, "--self", help="Self-assessment table."),
        self_unit: str = typer.Option("unit", help="Unit id column of --self."),
        self_score: str = typer.Option("score", help="Score column of --self."),
        weights: str = typer.Option("0.3,0.7", help="SELF,EXPERT weights of the final score."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Ranking (.csv/.xlsx)."),
        json_out: bool = typer.Option(False, "--json", help="Print the JSON report."),
    ) -> None:
        from shidian.engine.reconcile import reconcile_scores
        from shidian.engine.tables import numeric_column, read_table, require_columns, text_column

        self_scores = None
        self_weight = 0.0
        if self_file:
            frame = read_table(self_file, text_columns=[self_unit])
            require_columns(frame, [self_unit, self_score], source=self_file.name)
            values = numeric_column(frame, self_score)
            ids = text_column(frame[self_unit])
            if ids.duplicated().any():
                row = int(ids.duplicated().to_numpy().nonzero()[0][0]) + 2
                raise EngineInputError(f"{self_file.name}, row {row}: unit listed twice.", row=row)
            self_scores = pd.Series(values, index=ids.to_numpy())
            self_weight = _weights(weights)
        result = reconcile_scores(
            read_table(scores_file, text_columns=[unit, expert]),
            unit=unit,
            expert=expert,
            score=score,
            method=method,
            trim=trim,
            max_range=max_range,
            self_scores=self_scores,
            self_weight=self_weight,
        )
        if output:
            write_output(result.table, output)
        if json_out:
            emit_json(result)
            return
        rows = [
            [k, v.value, f"[{v.ci95[0]:.3f}, {v.ci95[1]:.3f}]", v.p_value]
            for k, v in result.icc.items()
        ]
        if result.kendall_w is not None:
            rows.append(["Kendall's W", result.kendall_w, "", result.kendall_p])
        print_table(
            f"Agreement ({result.design} design)", ["measure", "value", "95% CI", "p"], rows
        )
        table = result.table
        shown = ["rank", "unit", "n_experts", "expert_score", "self_score", "final_score", "range"]
        shown = [c for c in shown if c in table.columns]
        rows_out = [
            [*row, "discuss" if flag else ""]
            for row, flag in zip(
                table[shown].head(30).to_numpy().tolist(), table["flagged"], strict=False
            )
        ]
        print_table(
            f"Ranking (expert score = {result.method}; weights self {result.weights['self']:.2f}"
            f", expert {result.weights['expert']:.2f}; first 30 rows)",
            [*shown, "flag"],
            rows_out,
            highlight_rows=set(np.flatnonzero(table["flagged"].to_numpy()[:30])),
        )
        for note in result.notes:
            typer.echo(note)
        if result.flagged:
            typer.echo(
                f"{len(result.flagged)} unit(s) flagged for a discussion round (range > "
                f"{result.max_range:g}): {', '.join(result.flagged[:20])}"
            )
