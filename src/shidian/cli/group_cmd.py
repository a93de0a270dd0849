"""`shidian group`: balanced groups (anticlustering), named A, B, C... with members A1, A2..."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import typer

from shidian.cli.common import (
    emit_json,
    given,
    pick_id_column,
    print_table,
    progress,
    split_list,
    write_output,
)
from shidian.engine.errors import EngineInputError
from shidian.engine.grouping import GroupingResult, GroupingSpec, group_items
from shidian.engine.tables import (
    cell_text,
    numeric_column,
    read_table,
    require_columns,
    unique_ids,
)

FALSE_WORDS = {"", "0", "no", "n", "false", "f", "否", "不是", "无", "×"}
LAT_NAMES = ("lat", "latitude", "纬度")
LON_NAMES = ("lon", "lng", "longitude", "经度")


def group_name(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (spreadsheet style)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _truthy(value) -> bool:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return False
    if isinstance(value, int | float | np.number):
        return value != 0
    return str(value).strip().lower() not in FALSE_WORDS


def _pairs(value: str | None, ids: pd.Series, option: str) -> list[tuple[int, int]]:
    if not value:
        return []
    index = {v: i for i, v in enumerate(ids)}
    path = Path(value)
    if path.suffix.lower() in {".csv", ".xlsx", ".tsv", ".txt"} or path.exists():
        frame = read_table(path)
        if frame.shape[1] < 2:
            raise EngineInputError(f"{option} {path.name}: needs two columns of ids per row.")
        raw = [(cell_text(a), cell_text(b)) for a, b in frame.iloc[:, :2].to_numpy()]
    else:
        raw = []
        for item in split_list(value):
            parts = [s.strip() for s in item.replace("：", ":").split(":")]
            if len(parts) != 2:
                raise EngineInputError(f"{option}: '{item}' must be two ids joined by ':'.")
            raw.append((parts[0], parts[1]))
    pairs = []
    for a, b in raw:
        for v in (a, b):
            if v not in index:
                raise EngineInputError(f"{option}: id '{v}' is not in the input.")
        pairs.append((index[a], index[b]))
    return pairs


def _find_column(frame: pd.DataFrame, given: str | None, names: tuple[str, ...], what: str) -> str:
    if given:
        require_columns(frame, [given])
        return given
    lower = {str(c).lower(): c for c in frame.columns}
    for name in names:
        if name in lower:
            return lower[name]
    raise EngineInputError(f"--max-km needs a {what} column: name it with --{what[:3]}.")


def build_spec(frame: pd.DataFrame, ids: pd.Series, opts: dict) -> GroupingSpec:
    n = len(frame)
    groups, size = opts["groups"], opts["size"]
    if (groups is None) == (size is None):
        raise EngineInputError("Give either --groups K or --size S (not both).")
    if size is not None:
        if size < 1:
            raise EngineInputError("--size must be at least 1.")
        groups = max(1, round(n / size))
    features = split_list(opts["features"])
    categorical = split_list(opts["categorical"])
    if not features and not categorical:
        raise EngineInputError(
            "Give the columns to balance with --features (and/or --categorical)."
        )
    x = (
        np.column_stack([numeric_column(frame, c) for c in features])
        if features
        else np.zeros((n, 0))
    )
    cats = levels = None
    if categorical:
        require_columns(frame, categorical)
        text = frame[categorical].astype(str).apply(lambda s: s.str.strip().replace("nan", ""))
        levels = [sorted(text[c].unique().tolist()) for c in categorical]
        cats = np.column_stack(
            [
                np.searchsorted(lv, text[c].to_numpy())
                for c, lv in zip(categorical, levels, strict=True)
            ]
        )
    lead = None
    if opts["lead_column"]:
        require_columns(frame, [opts["lead_column"]])
        lead = np.array([_truthy(v) for v in frame[opts["lead_column"]]], dtype=bool)
    coords = None
    if opts["max_km"] is not None:
        lat = _find_column(frame, opts["lat"], LAT_NAMES, "latitude")
        lon = _find_column(frame, opts["lon"], LON_NAMES, "longitude")
        coords = np.column_stack([numeric_column(frame, lat), numeric_column(frame, lon)])
        if np.any(np.abs(coords[:, 0]) > 90) or np.any(np.abs(coords[:, 1]) > 180):
            raise EngineInputError(
                f"Columns '{lat}'/'{lon}' must be latitude/longitude in degrees."
            )
    fixed = None
    if opts["fixed_column"]:
        require_columns(frame, [opts["fixed_column"]])
        names = {group_name(g): g for g in range(groups)}
        fixed = np.full(n, -1, dtype=np.int64)
        for row, value in enumerate(frame[opts["fixed_column"]]):
            text = "" if pd.isna(value) else str(value).strip().removesuffix(".0").upper()
            if not text:
                continue
            if text in names:
                fixed[row] = names[text]
            elif text.isdigit() and 1 <= int(text) <= groups:
                fixed[row] = int(text) - 1
            else:
                raise EngineInputError(
                    f"Column '{opts['fixed_column']}', row {row + 2}: '{value}' is not a group "
                    f"(use {group_name(0)}..{group_name(groups - 1)} or blank).",
                    column=opts["fixed_column"],
                    row=row + 2,
                )
    return GroupingSpec(
        features=x,
        n_groups=groups,
        feature_names=features,
        objective=opts["objective"],
        categories=cats,
        category_names=categorical or None,
        category_levels=levels,
        size_min=opts["size_min"],
        size_max=opts["size_max"],
        lead_candidates=lead,
        apart=_pairs(opts["apart"], ids, "--apart"),
        together=_pairs(opts["together"], ids, "--together"),
        coords=coords,
        max_km=opts["max_km"],
        fixed=fixed,
        seed=opts["seed"],
        method=opts["method"],
        restarts=opts["restarts"],
        time_limit=opts["time_limit"],
        item_names=ids.tolist(),
    )


def output_frame(frame: pd.DataFrame, result: GroupingResult) -> pd.DataFrame:
    labels = result.labels
    is_lead = np.zeros(len(labels), dtype=bool)
    is_lead[result.leads[result.leads >= 0]] = True
    member = np.empty(len(labels), dtype=object)
    for g in range(len(result.sizes)):
        idx = np.flatnonzero(labels == g)
        idx = np.r_[idx[is_lead[idx]], idx[~is_lead[idx]]]  # the lead is member 1
        for pos, i in enumerate(idx, start=1):
            member[i] = f"{group_name(g)}{pos}"
    out = frame.copy()
    out["group"] = [group_name(g) for g in labels]
    out["member"] = member
    if (result.leads >= 0).any():
        out["lead"] = np.where(is_lead, "yes", "")
    return out


def report_dict(result: GroupingResult, ids: pd.Series) -> dict:
    return {
        "groups": len(result.sizes),
        "items": int(len(result.labels)),
        "objective": result.objective,
        "value": result.value,
        "start_value": result.start_value,
        "method": result.method,
        "restarts": result.restarts,
        "optimal": result.optimal,
        "gap": result.gap,
        "all_constraints_hold": result.all_constraints_hold,
        "constraints": result.constraints,
        "features": result.features,
        "categories": result.categories,
        "group_list": [
            {
                "group": group_name(g),
                "size": size,
                "lead": None if result.leads[g] < 0 else str(ids.iloc[int(result.leads[g])]),
            }
            for g, size in enumerate(result.sizes)
        ],
        "notes": result.notes,
    }


def print_report(result: GroupingResult, ids: pd.Series) -> None:
    print(
        f"{len(result.labels)} items in {len(result.sizes)} groups "
        f"(sizes {min(result.sizes)}-{max(result.sizes)}); objective {result.objective} "
        f"{result.value:.6g}"
        + (f" (start {result.start_value:.6g})" if np.isfinite(result.start_value) else "")
        + f"; method {result.method}"
        + (f", restarts: {result.restarts}" if result.restarts else "")
        + ("" if result.optimal is None else f", optimal: {result.optimal}")
    )
    if result.features:
        worst = max(range(len(result.features)), key=lambda i: result.features[i].max_deviation_sd)
        print_table(
            "Feature balance (largest deviation of a group mean from the overall mean)",
            ["feature", "mean", "sd", "max deviation (SD)"],
            [[f.name, f.mean, f.sd, f.max_deviation_sd] for f in result.features],
            highlight_rows={worst},
        )
    for cat in result.categories:
        if len(cat.counts) <= 30:
            rows = [[group_name(g), *counts] for g, counts in enumerate(cat.counts)]
            print_table(f"Counts of {cat.name} per group", ["group", *cat.levels], rows)
            continue
        counts = np.asarray(cat.counts)
        rows = [
            [level, int(counts[:, c].min()), int(counts[:, c].max()), int(counts[:, c].sum())]
            for c, level in enumerate(cat.levels)
        ]
        print_table(
            f"Counts of {cat.name} per group ({len(cat.counts)} groups; all in the JSON report)",
            ["level", "fewest in a group", "most in a group", "total"],
            rows,
        )
    bad = {i for i, c in enumerate(result.constraints) if not c.holds}
    print_table(
        "Constraints",
        ["constraint", "holds", "detail"],
        [[c.name, "yes" if c.holds else "NO", c.detail] for c in result.constraints],
        highlight_rows=bad,
    )
    for note in result.notes:
        print(f"note: {note}")


def register(app: typer.Typer) -> None:
    @app.command("group")
    def group(
        input: Path = typer.Argument(..., help="CSV (UTF-8/GBK) or XLSX, one row per item."),
        groups: int | None = typer.Option(None, "--groups", help="Number of groups K."),
        size: int | None = typer.Option(None, "--size", help="Group size (K = N / size)."),
        size_min: int | None = typer.Option(None, "--size-min"),
        size_max: int | None = typer.Option(None, "--size-max"),
        features: str = typer.Option("", "--features", help="Numeric columns, comma separated."),
        categorical: str = typer.Option("", "--categorical", help="Columns balanced by counts."),
        objective: str = typer.Option("diversity", help="diversity | variance | kplus"),
        lead_column: str | None = typer.Option(None, "--lead-column", help="Marks possible leads."),
        apart: str | None = typer.Option(None, help="Pairs kept apart: FILE or 'id1:id2,...'."),
        together: str | None = typer.Option(None, help="Pairs kept together: FILE or 'id1:id2'."),
        max_km: float | None = typer.Option(None, "--max-km", help="Max km member to lead."),
        lat: str | None = typer.Option(None, "--lat", help="Latitude column (default lat)."),
        lon: str | None = typer.Option(None, "--lon", help="Longitude column (default lon)."),
        fixed_column: str | None = typer.Option(None, "--fixed-column", help="Fixed group."),
        id_column: str | None = typer.Option(None, "--id", help="Id column (default: first)."),
        method: str = typer.Option("auto", help="auto | local-maximum | exchange | exact"),
        restarts: int | None = typer.Option(None, help="Restarts (default by size)."),
        time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds."),
        seed: int = typer.Option(0, help="Random seed: same seed, same groups."),
        output: Path | None = typer.Option(None, "--output", "-o", help="Output .csv or .xlsx."),
        json_out: str | None = typer.Option(None, "--json", help="JSON report to PATH or '-'."),
    ) -> None:
        """Balanced groups, alike as a whole and mixed inside (组间同质、组内异质)."""
        frame = read_table(input, text_columns=given(id_column))
        id_col = pick_id_column(frame, id_column or str(frame.columns[0]))
        ids = unique_ids(frame, id_col)
        opts = dict(locals())
        spec = build_spec(frame, ids, opts)
        with progress("Grouping", None, enabled=json_out is None and len(frame) > 2000):
            result = group_items(spec)
        if output is not None:
            write_output(output_frame(frame, result), output)
        if json_out is not None:
            emit_json(report_dict(result, ids), json_out)
            if json_out != "-":
                print_report(result, ids)
        else:
            print_report(result, ids)
