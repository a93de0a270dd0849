"""`shidian match`: matched controls for the treated units (a thin layer over the engine)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from shidian.cli.common import (
    console,
    emit_json,
    given,
    pick_id_column,
    print_table,
    progress,
    split_list,
    write_output,
)
from shidian.engine.errors import EngineInputError
from shidian.engine.tables import read_table

if TYPE_CHECKING:
    from shidian.engine.matching import MatchResult


def show_progress(json_out: bool) -> bool:
    """A progress bar only for a person at a terminal: never in --json or piped output."""
    return not json_out and sys.stderr.isatty()


def report_dict(result: MatchResult, output: Path) -> dict:
    return {
        "command": "match",
        "output": str(output),
        "method": result.method,
        "optimal": result.optimal,
        "replace": result.replace,
        "ratio": result.ratio,
        "smd_denominator": result.smd_denominator,
        "caliper_logit": result.caliper_logit,
        "logit_sd": result.logit_sd,
        "n_treated": result.n_treated,
        "n_controls": result.n_controls,
        "n_matched_treated": result.n_matched_treated,
        "n_unmatched_treated": len(result.unmatched_treated),
        "n_controls_used": result.n_controls_used,
        "n_controls_discarded": result.n_controls_discarded,
        "unmatched_treated": result.unmatched_treated,
        "balance": result.balance,
        "all_balanced": all(row.balanced for row in result.balance),
        "pairs": result.pairs,
        "seconds": result.seconds,
    }


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def print_report(result: MatchResult, output: Path) -> None:
    kind = "optimal" if result.optimal else "greedy"
    replace = "with" if result.replace else "without"
    console.print(
        f"[bold]{result.method} matching, {kind}, 1:{result.ratio}, {replace} replacement[/bold]"
        + (f", caliper {result.caliper_logit:.4f} on the logit" if result.caliper_logit else "")
    )
    console.print(
        f"Treated: {result.n_treated}, matched {result.n_matched_treated}, unmatched "
        f"{len(result.unmatched_treated)}. Controls: {result.n_controls}, used "
        f"{result.n_controls_used}, discarded {result.n_controls_discarded}. "
        f"Written to {output}."
    )
    rows = [
        [
            b.covariate,
            _fmt(b.smd_before),
            _fmt(b.smd_after),
            "✓" if b.balanced else "✗",
            _fmt(b.variance_ratio_before),
            _fmt(b.variance_ratio_after),
            _fmt(b.ecdf_max_before),
            _fmt(b.ecdf_max_after),
        ]
        for b in result.balance
    ]
    sd = "the treated units' SD" if result.smd_denominator == "treated" else "the pooled SD"
    print_table(
        f"Balance before → after (✓: |SMD| < 0.1; SMD divided by {sd})",
        ["covariate", "SMD", "SMD after", "<0.1", "VR", "VR after", "eCDF", "eCDF after"],
        rows,
        highlight_rows={i for i, b in enumerate(result.balance) if not b.balanced},
    )
    if result.unmatched_treated:
        shown = result.unmatched_treated[:50]
        more = len(result.unmatched_treated) - len(shown)
        console.print(
            "Unmatched treated: " + ", ".join(shown) + (f" … and {more} more" if more else "")
        )


def register(app: typer.Typer) -> None:
    @app.command("match", help="Pick matched controls for the treated (pilot) units.")
    def match(
        input: Path = typer.Argument(..., help="Units: CSV (UTF-8/GBK) or XLSX."),
        treated: str = typer.Option(..., "--treated", help="Column: 1 treated, 0 control."),
        covariates: str = typer.Option(..., "--covariates", help="Columns, comma-separated."),
        output: Path = typer.Option(..., "--output", "-o", help="Output .csv or .xlsx."),
        id_column: str | None = typer.Option(None, "--id", help="Id column (default: id)."),
        exact: str | None = typer.Option(None, "--exact", help="Match exactly on these."),
        ratio: int = typer.Option(1, "--ratio", help="Controls per treated unit."),
        caliper: float | None = typer.Option(None, "--caliper", help="In SDs of the logit."),
        method: str = typer.Option("propensity", "--method", help="propensity|mahalanobis"),
        optimal: bool = typer.Option(False, "--optimal", help="Min-cost instead of greedy."),
        replace: bool = typer.Option(False, "--replace", help="Controls may be reused."),
        order: str = typer.Option("largest", "--order", help="largest|smallest|random|data"),
        seed: int = typer.Option(0, "--seed"),
        smd_denominator: str = typer.Option(
            "treated",
            "--smd-denominator",
            help="SD of the SMD: treated (the treated units', for the ATT) or pooled.",
        ),
        json_out: bool = typer.Option(False, "--json", help="Print the JSON report only."),
        report: Path | None = typer.Option(None, "--report", help="Also write JSON here."),
    ) -> None:
        # Imported here: scikit-learn takes a second to load, and every other command would
        # pay for it at start-up.
        from shidian.engine.matching import MatchSpec, match_controls

        frame = read_table(input, text_columns=given(id_column, *split_list(exact)))
        ident = pick_id_column(frame, id_column)
        if str(output.suffix).lower() not in {".csv", ".xlsx"}:
            raise EngineInputError(f"Output {output.name}: use a .csv or .xlsx file name.")
        spec = MatchSpec(
            treated=treated,
            covariates=tuple(split_list(covariates)),
            id_column=ident,
            exact=tuple(split_list(exact)),
            ratio=ratio,
            caliper=caliper,
            method=method,
            optimal=optimal,
            replace=replace,
            order=order,
            seed=seed,
            smd_denominator=smd_denominator,
        )
        with progress("matching", 4, enabled=show_progress(json_out)) as advance:
            result = match_controls(frame, spec, on_step=lambda _m: advance(1))
        write_output(result.matched, output)
        data = report_dict(result, output)
        if report:
            emit_json(data, report)
        if json_out:
            emit_json(data)
        else:
            print_report(result, output)
