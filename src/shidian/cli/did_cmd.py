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

        controls = {"never": "nevertreated", "notyet": "notyettreated"}
        if control not in controls:
            raise EngineInputError(f"--control must be 'never' or 'notyet' (got '{control}').")
        needed = [unit, period, treated, outcome, post, cohort, cluster, *split_list(covariates)]
        frame = _read_panel(input_file, [c for c in needed if c], [c for c in (unit, cluster) if c])
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
        cs = result.callaway_santanna
        if cs is not None:
            aggregations = [
                (label, e)
                for label, e in (
                    ("simple", cs.simple),
                    ("group (by cohort)", cs.group_overall),
                    ("dynamic (event time e >= 0)", cs.dynamic_overall),
                )
                if e is not None
            ]
            print_table(
                "Callaway-Sant'Anna aggregations (as did's aggte)",
                ["aggregation", "ATT", "SE", "95% CI"],
                [
                    [n, e.estimate, e.se, f"[{e.ci95[0]:.4g}, {e.ci95[1]:.4g}]"]
                    for n, e in aggregations
                ],
            )
            typer.echo(f"Callaway-Sant'Anna SEs: {cs.se_method}.")
            print_table(
                "Callaway-Sant'Anna by cohort",
                ["cohort", "ATT", "SE", "95% CI"],
                [
                    [
                        g["cohort"],
                        g["estimate"],
                        g["se"],
                        f"[{g['ci_low']:.4g}, {g['ci_high']:.4g}]",
                    ]
                    for g in cs.group.to_dict(orient="records")
                ],
            )
            if cs.sensitivity is not None:
                s = cs.sensitivity
                print_table(
                    "Sensitivity to parallel trends (relative magnitudes)",
                    ["figure", "value"],
                    [
                        ["estimand", s.estimand],
                        ["worst pre-period change of the gap", s.worst_pre_change],
                        [
                            "breakdown Mbar",
                            "not significant" if s.breakdown_mbar is None else s.breakdown_mbar,
                        ],
                        [
                            "robust 95% CI at Mbar = 1",
                            f"[{s.robust_ci_at_1[0]:.4g}, {s.robust_ci_at_1[1]:.4g}]",
                        ],
                    ],
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


def _read_panel(path: Path, columns: list[str], text_columns: list[str]) -> pd.DataFrame:
    """The columns DiD needs. A plain CSV is parsed by pandas' C reader straight into numbers
    (3 to 4 times faster than reading every cell as text and inferring the types, which is what
    ``read_table`` does for any table); every other case, and anything unusual (a missing
    column, a parse error), goes through ``read_table`` and its messages. The values are the
    same either way: text cells stay text and the engine's panel checks name the bad row."""
    import io

    from shidian.engine.tables import MAX_INPUT_BYTES, decode_text, read_table

    def fallback() -> pd.DataFrame:
        return read_table(path, text_columns=text_columns)

    suffix = path.suffix.lower()
    if suffix not in {".csv", ".txt"} or not path.exists():
        return fallback()
    size = path.stat().st_size
    if size == 0 or size > MAX_INPUT_BYTES:
        return fallback()
    wanted = set(columns)
    try:
        text = decode_text(path.read_bytes())
        frame = pd.read_csv(
            io.StringIO(text),
            usecols=lambda c: str(c).strip() in wanted,
            # ids read as text ("007" is not 7: a "category" dtype here would infer numeric
            # categories and merge "000" with "0"), then kept as categories
            dtype={c: str for c in text_columns},
            keep_default_na=False,
        ).astype({c: "category" for c in text_columns})
    except Exception:  # noqa: BLE001 - read_table says what is wrong with the file
        return fallback()
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty or sorted(frame.columns) != sorted(wanted) or frame.columns.duplicated().any():
        return fallback()
    for c in text_columns:
        stripped = frame[c].cat.categories.astype(str).str.strip()
        if stripped.duplicated().any():  # " A" and "A": the same id once stripped
            frame[c] = frame[c].astype(str).str.strip()
        else:
            frame[c] = frame[c].cat.rename_categories(stripped)
    return frame


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
