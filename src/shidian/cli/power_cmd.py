"""`shidian power`: the minimum detectable effect of a pilot-versus-control design."""

from __future__ import annotations

from pathlib import Path

import typer

from shidian.cli.common import emit_json, print_table
from shidian.engine.errors import EngineInputError


def _sigma(sigma: float | None, input_file: Path | None, column: str | None) -> float:
    if sigma is not None:
        return sigma
    if input_file is None or not column:
        raise EngineInputError("give --sigma, or --input FILE with --column COL to estimate it.")
    import pandas as pd

    from shidian.engine.tables import read_table

    frame = read_table(input_file)
    if column not in frame.columns:
        raise EngineInputError(f"--column '{column}' is not in {input_file.name}.", column=column)
    values = pd.to_numeric(frame[column], errors="coerce").dropna()
    if len(values) < 2:
        raise EngineInputError(f"column '{column}' has fewer than two numbers.", column=column)
    return float(values.std(ddof=1))


def register(app: typer.Typer) -> None:
    @app.command(help="Minimum detectable effect for n pilots and m controls (two-sided test).")
    def power(
        pilots: int = typer.Option(..., "--pilots", help="Number of pilots (treated units)."),
        controls: int | None = typer.Option(None, "--controls", help="Number of controls."),
        sigma: float | None = typer.Option(None, help="Outcome SD (or use --input/--column)."),
        input_file: Path | None = typer.Option(None, "--input", help="Table to estimate SD."),
        column: str | None = typer.Option(None, help="Outcome column of --input."),
        alpha: float = typer.Option(0.05, help="Significance level (two-sided)."),
        power_: float = typer.Option(0.8, "--power", help="Wanted power."),
        rho: float | None = typer.Option(None, help="Pre-post correlation (ANCOVA/DiD design)."),
        method: str = typer.Option("t", help="t (exact t test) | normal (closed form)."),
        json_out: bool = typer.Option(False, "--json", help="Print the JSON report."),
    ) -> None:
        from shidian.engine.power import mde_curve, minimum_detectable_effect

        if method not in ("t", "normal"):
            raise EngineInputError(f"--method must be 't' or 'normal' (got '{method}').")
        sd = _sigma(sigma, input_file, column)
        options = {"alpha": alpha, "power": power_, "method": method, "rho": rho}
        headline = minimum_detectable_effect(pilots, controls, sd, **options) if controls else None
        curve = mde_curve(pilots, range(1, 6), sd, **options)  # type: ignore[arg-type]
        if json_out:
            emit_json({"sigma": sd, "design": headline, "per_pilot": curve})
            return
        rows: list[list[object]] = [
            [r.design.n_t, r.design.n_c, r.effect, r.effect_size * r.factor] for r in curve
        ]
        if headline is not None:
            rows.insert(
                0, [pilots, controls, headline.effect, headline.effect_size * headline.factor]
            )
        design = f"pre/post, rho={rho:g}" if rho is not None else "post only"
        print_table(
            f"Minimum detectable effect (sigma={sd:.4g}, alpha={alpha:g}, power={power_:g}, "
            f"{method}, {design})",
            ["pilots", "controls", "MDE", "MDE in SDs"],
            rows,
            highlight_rows={0} if headline is not None else None,
        )
        if headline is not None:
            typer.echo(
                f"With {pilots} pilots and {controls} controls an effect below "
                f"{headline.effect:.1f} would likely go unseen."
            )
