"""`shidian select`: representative selection of K pilots (a thin layer over the engine)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import typer

from shidian.cli.common import (
    console,
    emit_json,
    given,
    parse_int_list,
    pick_id_column,
    print_table,
    progress,
    split_list,
    write_output,
)
from shidian.engine.errors import EngineInputError
from shidian.engine.selection import Forced, Quota, SelectionResult, SelectionSpec, select_pilots
from shidian.engine.tables import cell_text, read_table

QUOTA_ALIASES = {
    "attribute": ("attribute", "属性", "维度"),
    "stratum": ("stratum", "value", "层", "类别"),
    "min": ("min", "最少", "下限"),
    "max": ("max", "最多", "上限"),
    "count": ("count", "名额", "数量"),
}


def show_progress(json_out: bool) -> bool:
    """A progress bar only for a person at a terminal: never in --json or piped output."""
    return not json_out and sys.stderr.isatty()


def _column(frame: pd.DataFrame, key: str) -> str | None:
    for alias in QUOTA_ALIASES[key]:
        if alias in frame.columns:
            return alias
    return None


def _int_cell(value: object, *, name: str, row: int, column: str) -> int | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        number = float("nan")
    if not number.is_integer() or number < 0:
        raise EngineInputError(
            f"{name}, row {row}, column '{column}': '{value}' must be a whole number >= 0.",
            column=column,
            row=row,
        )
    return int(number)


def read_quotas(path: Path) -> tuple[Quota, ...]:
    frame = read_table(path, text_columns=QUOTA_ALIASES["stratum"])
    attribute, stratum = _column(frame, "attribute"), _column(frame, "stratum")
    if attribute is None or stratum is None:
        raise EngineInputError(
            f"{path.name}: a quota file needs the columns attribute, stratum and min/max (or "
            f"count). Columns present: {', '.join(map(str, frame.columns))}."
        )
    columns = {key: _column(frame, key) for key in ("min", "max", "count")}
    if not any(columns.values()):
        raise EngineInputError(f"{path.name}: add a 'min', 'max' or 'count' column.")
    quotas = []
    for i, record in enumerate(frame.to_dict(orient="records")):
        cells = {
            key: _int_cell(record[col], name=path.name, row=i + 2, column=col) if col else None
            for key, col in columns.items()
        }
        low, high = cells["min"], cells["max"]
        if cells["count"] is not None:
            low = high = cells["count"]
        quotas.append(Quota(cell_text(record[attribute]), cell_text(record[stratum]), low, high))
    return tuple(quotas)


def read_forced(path: Path, id_column: str, what: str) -> tuple[Forced, ...]:
    frame = read_table(path, text_columns=[id_column, "id"])
    column = id_column if id_column in frame.columns else "id" if "id" in frame.columns else None
    if column is None:
        raise EngineInputError(
            f"{what} {path.name}: needs a column '{id_column}' (or 'id') with the unit ids, "
            "and optionally 'reason'."
        )
    reason = next((c for c in ("reason", "原因", "理由") if c in frame.columns), None)
    items = []
    for record in frame.to_dict(orient="records"):
        text = "" if reason is None else cell_text(record[reason])
        items.append(Forced(cell_text(record[column]), text))
    return tuple(items)


def report_dict(result: SelectionResult, spec: SelectionSpec, output: Path) -> dict:
    return {
        "command": "select",
        "output": str(output),
        "status": result.status,
        "optimal": result.optimal,
        "gap": result.gap,
        "objective": result.objective,
        "bound": result.bound,
        "count": spec.count,
        "n_candidates": result.n_candidates,
        "n_eligible": result.n_eligible,
        "n_variables": result.n_variables,
        "n_constraints": result.n_constraints,
        "solve_seconds": result.solve_seconds,
        "price_of_representativeness": result.price,
        "largest_deviation": result.largest_deviation,
        "shares": result.shares,
        "balance": result.balance,
        "batches": result.batches,
        "forced_in": result.forced_in,
        "forced_out": result.forced_out,
        "constraints": result.constraints,
        "selected": result.selected[spec.id_column].tolist(),
    }


def print_report(result: SelectionResult, spec: SelectionSpec, output: Path) -> None:
    if result.optimal:
        console.print(
            f"[bold]Selected {spec.count} pilots: proven optimal[/bold] "
            f"(gap {result.gap or 0.0:.2g})."
        )
    else:
        shown = "unknown" if result.gap is None else f"{result.gap:.4%}"
        console.print(
            f"[bold red]Stopped by the time limit: NOT proven optimal[/bold red] (gap {shown}, "
            f"bound {result.bound})."
        )
    console.print(
        f"{result.n_candidates} candidates, {result.n_eligible} eligible; "
        f"{result.n_variables} variables, {result.n_constraints} constraints; "
        f"solved in {result.solve_seconds:.2f} s. Written to {output}."
    )
    largest = result.largest_deviation
    rows, highlight = [], set()
    for index, s in enumerate(result.shares):
        bounds = "" if s.min is None and s.max is None else f"{s.min or 0}-{s.max}"
        if s is largest:
            highlight.add(index)
        rows.append(
            [
                s.attribute,
                s.stratum,
                s.population,
                f"{s.population_share:.1%}",
                s.pilots,
                f"{s.pilots_share:.1%}",
                f"{s.deviation:+.1%}" + ("*" if s is largest else ""),
                s.topk,
                f"{s.topk_share:.1%}",
                f"{s.topk_deviation:+.1%}",
                bounds,
            ]
        )
    if rows:
        print_table(
            "Shares per stratum: population, pilots, plain top-K (* largest deviation)",
            ["attr", "stratum", "N", "pop", "pilots", "share", "dev", "top-K", "share", "dev",
             "quota"],
            rows,
            highlight_rows=highlight,
        )  # fmt: skip
    p = result.price
    if p is not None:
        console.print(
            f"Price of representativeness: total score {p.selection_total:.4g} vs plain top-K "
            f"{p.topk_total:.4g} (−{p.difference:.4g}, {p.relative:.2%})."
        )
    if result.balance:
        print_table(
            "Covariate balance (SMD against the population)",
            ["covariate", "population mean", "pilots mean", "pilots SMD", "top-K SMD"],
            [
                [b.covariate, b.population_mean, b.pilots_mean, b.pilots_smd, b.topk_smd]
                for b in result.balance
            ],
        )
    if result.batches:
        print_table(
            "Batches",
            ["batch", "size", "mean score", "largest share deviation"],
            [[b.batch, b.size, b.mean_score, f"{b.max_abs_deviation:.1%}"] for b in result.batches],
        )
    for label, items in (("Forced in", result.forced_in), ("Forced out", result.forced_out)):
        for item in items:
            console.print(f"{label}: {item.id}" + (f" ({item.reason})" if item.reason else ""))


def register(app: typer.Typer) -> None:
    @app.command("select", help="Choose K representative pilots maximising the total score.")
    def select(
        input: Path = typer.Argument(..., help="Candidates: CSV (UTF-8/GBK) or XLSX."),
        count: int = typer.Option(..., "--count", "-k", help="Number of pilots K."),
        score: str = typer.Option(..., "--score", help="Score column to maximise."),
        output: Path = typer.Option(..., "--output", "-o", help="Output .csv or .xlsx."),
        id_column: str | None = typer.Option(None, "--id", help="Id column (default: id)."),
        strata: str | None = typer.Option(None, "--strata", help="Attributes, comma-separated."),
        proportional: bool = typer.Option(False, "--proportional", help="Proportional quotas."),
        tolerance: float = typer.Option(0.0, "--tolerance", help="Share points either side."),
        quota: Path | None = typer.Option(None, "--quota", help="Quota file."),
        min_score: float | None = typer.Option(None, "--min-score"),
        include: Path | None = typer.Option(None, "--include", help="Ids forced in (+reason)."),
        exclude: Path | None = typer.Option(None, "--exclude", help="Ids forced out (+reason)."),
        balance: str | None = typer.Option(None, "--balance", help="Covariates to balance."),
        max_smd: float = typer.Option(0.1, "--max-smd", help="Max |mean diff| in SDs."),
        batches: str | None = typer.Option(None, "--batches", help="Batch sizes, e.g. 5,5,4."),
        balanced_batches: bool = typer.Option(False, "--balanced-batches"),
        time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds for the solver."),
        seed: int = typer.Option(0, "--seed"),
        json_out: bool = typer.Option(False, "--json", help="Print the JSON report only."),
        report: Path | None = typer.Option(None, "--report", help="Also write JSON here."),
    ) -> None:
        frame = read_table(input, text_columns=given(id_column, *split_list(strata)))
        ident = pick_id_column(frame, id_column)
        if tolerance < 0 or tolerance >= 1:
            raise EngineInputError(f"--tolerance {tolerance:g}: use a share between 0 and 1.")
        spec = SelectionSpec(
            count=count,
            score=score,
            id_column=ident,
            strata=tuple(split_list(strata)),
            proportional=proportional,
            tolerance=tolerance,
            quotas=read_quotas(quota) if quota else (),
            min_score=min_score,
            include=read_forced(include, ident, "--include") if include else (),
            exclude=read_forced(exclude, ident, "--exclude") if exclude else (),
            balance=tuple(split_list(balance)),
            max_smd=max_smd,
            batches=tuple(parse_int_list(batches, option="--batches")),
            balanced_batches=balanced_batches,
            time_limit=time_limit,
            seed=seed,
        )
        if spec.proportional and not spec.strata:
            raise EngineInputError("--proportional needs --strata (the attributes to mirror).")
        with progress("selecting", 3, enabled=show_progress(json_out)) as advance:
            result = select_pilots(frame, spec, on_step=lambda _m: advance(1))
        write_output(result.selected, output)
        data = report_dict(result, spec, output)
        if report:
            emit_json(data, report)
        if json_out:
            emit_json(data)
        else:
            print_report(result, spec, output)
