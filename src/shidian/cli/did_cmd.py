"""`shidian did`: difference-in-differences on a long panel (one row per unit and period)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from shidian.cli.common import emit_json, print_table, progress, split_list, write_output
from shidian.engine.errors import EngineInputError


def register(app: typer.Typer) -> None:
    @app.command(help="Difference-in-differences: 2x2, TWFE, event study, Callaway-Sant'Anna.")
    def did(
        input_file: Path = typer.Argument(..., help="Long panel (CSV/XLSX)."),
        unit: str = typer.Option(..., help="Unit id column."),
        period: str = typer.Option(..., help="Period column (year, term...)."),
        treated: str = typer.Option(..., help="0/1 column: ever treated, or treatment status."),
        outcome: str = typer.Option(..., help="Outcome column."),
        post: str | None = typer.Option(None, help="0/1 column: the row is after the start."),
        cohort: str | None = typer.Option(None, help="Column: period the unit entered."),
        covariates: str | None = typer.Option(None, help="Covariate columns, comma-separated."),
        cluster: str | None = typer.Option(None, help="Cluster column (default: the unit)."),
        control: str = typer.Option("never", help="Robust estimator's controls: never | notyet."),
        event_study: bool = typer.Option(False, "--event-study", help="Effects by period."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Event-study table."),
        json_out: bool = typer.Option(False, "--json", help="Print the JSON report."),
    ) -> None:
        from shidian.engine.did import run_did
        from shidian.engine.tables import read_table

        controls = {"never": "nevertreated", "notyet": "notyettreated"}
        if control not in controls:
            raise EngineInputError(f"--control must be 'never' or 'notyet' (got '{control}').")
        frame = read_table(input_file, text_columns=[c for c in (unit, cluster) if c])
        with progress("Estimating", None, enabled=not json_out and len(frame) > 20_000):
            result = run_did(
                frame,
                unit=unit,
                period=period,
                outcome=outcome,
                treated=treated,
                post=post,
                cohort=cohort,
                covariates=split_list(covariates),
                cluster=cluster,
                event_study_on=event_study,
                control_group=controls[control],
            )
        if output:
            write_output(_effects_table(result), output)
        if json_out:
            emit_json(result)
            return
        rows: list[list[object]] = [
            [
                "units / periods / observations",
                f"{result.n_units} / {result.n_periods} / {result.n_observations}",
            ],
            ["treated / never treated", f"{result.n_treated} / {result.n_never_treated}"],
            ["clusters", result.n_clusters],
            ["design", result.design],
        ]
        estimates = [result.did_2x2, result.twfe]
        if result.callaway_santanna:
            estimates.append(result.callaway_santanna.simple)
        table = [
            [e.name, e.estimate, e.se, f"[{e.ci95[0]:.4g}, {e.ci95[1]:.4g}]", e.p_value]
            for e in estimates
            if e is not None
        ]
        print_table("Panel", ["figure", "value"], rows)
        print_table(
            "Estimates (headline: " + result.estimator + ")",
            ["estimator", "estimate", "SE", "95% CI", "p"],
            table,
        )
        effects = _effects_table(result)
        if len(effects):
            print_table(
                "Effects by period relative to entry (95% intervals)",
                ["period", "TWFE", "TWFE 95% CI", "CS", "CS 95% CI"],
                [_effect_row(row) for row in effects.to_dict(orient="records")],
            )
        for line in result.warnings:
            typer.echo(f"warning: {line}", err=True)
        for line in result.notes:
            typer.echo(f"note: {line}")
        for line in result.meaning_zh + result.meaning_en:
            typer.echo(line)


def _effects_table(result) -> pd.DataFrame:
    """Event-study rows: TWFE and Callaway-Sant'Anna side by side by relative period."""
    frames = []
    if result.event_study is not None:
        frames.append(result.event_study.table.set_index("rel_period").add_prefix("twfe_"))
    if result.callaway_santanna is not None:
        frames.append(result.callaway_santanna.dynamic.set_index("rel_period").add_prefix("cs_"))
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, axis=1).sort_index().reset_index()


def _effect_row(row: dict) -> list:
    def pair(prefix: str) -> list:
        est = row.get(f"{prefix}estimate")
        if est is None or pd.isna(est):
            return [None, None]
        return [est, f"[{row[prefix + 'ci_low']:.4g}, {row[prefix + 'ci_high']:.4g}]"]

    return [int(row["rel_period"]), *pair("twfe_"), *pair("cs_")]
