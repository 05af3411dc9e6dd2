"""Analysis of a sweep: Sobol indices (SALib) for Sobol designs, factor-outcome plots and a summary.

A run's outcome for an indicator is its value over the final year (the mean of its kept rows in
the last 12 months of its horizon); a point's outcome is the mean over its replicates. Sobol
indices need every point of the design in the sample order: they are computed on the points'
means in design order, and skipped (with the reason) when runs are missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ampsim.core.errors import InputError
from ampsim.core.io import atomic_path, write_parquet_atomic, write_text_atomic
from ampsim.indicators import METRO as INDICATORS
from ampsim.studies.sweep_folder import KEY, load_failures, load_results, read_manifest


def run_outcomes(results: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    """One row per run: the mean of its rows over the last 12 months of its horizon."""
    last_month = results.groupby(KEY)["month"].transform("max")
    final = results[results["month"] > last_month - 12]
    return final.groupby(KEY, as_index=False)[indicators].mean()


def point_outcomes(runs: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    """One row per point: the mean over replicates, and how many replicates there are."""
    grouped = runs.groupby("point")
    table = grouped[indicators].mean()
    table["replicates_done"] = grouped.size()
    return table.reset_index()


def sobol_indices(manifest: dict, points: pd.DataFrame, indicators: list[str]) -> tuple[pd.DataFrame, str]:
    """First-order and total Sobol indices with their confidence intervals, per indicator."""
    from SALib.analyze import sobol

    experiment = manifest["experiment"]
    factors = [f.get("name") or f["path"].split(".")[-1] for f in experiment["factors"]]
    design = experiment["design"]
    if len(points) < manifest["points"]:
        return pd.DataFrame(), (
            f"Sobol indices need every point of the design; {manifest['points'] - len(points)} points "
            "have no run yet (resume the sweep, or see the failures)"
        )
    problem = {"num_vars": len(factors), "names": factors, "bounds": [[0.0, 1.0]] * len(factors)}
    rows = []
    for indicator in indicators:
        y = points.sort_values("point")[indicator].to_numpy(float)
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
            continue
        result = sobol.analyze(
            problem, y, calc_second_order=design["second_order"], seed=design["seed"], print_to_console=False
        )
        for k, factor in enumerate(factors):
            rows.append(
                {
                    "indicator": indicator,
                    "factor": factor,
                    "S1": result["S1"][k],
                    "S1_conf": result["S1_conf"][k],
                    "ST": result["ST"][k],
                    "ST_conf": result["ST_conf"][k],
                }
            )
    return pd.DataFrame(rows), ""


def analyze(directory: str | os.PathLike) -> Path:
    """Write `analysis/` in a results folder: tables, plots and summary.md; returns its path."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"{directory}: {'not a folder' if directory.exists() else 'no such folder'}")
    manifest = read_manifest(directory)  # InputError for a folder that is not a sweep's
    experiment = manifest["experiment"]
    indicators = experiment["outputs"]["indicators"]
    results = load_results(directory)
    if results.empty:
        raise InputError(f"{directory}: no finished run yet")
    design = pd.read_parquet(directory / "design.parquet")
    factors = [c for c in design.columns if c != "point"]
    runs = run_outcomes(results, indicators)
    points = point_outcomes(runs, indicators).merge(design, on="point")
    out = directory / "analysis"
    out.mkdir(exist_ok=True)
    write_parquet_atomic(runs.merge(design, on="point"), out / "runs.parquet")
    write_parquet_atomic(points, out / "points.parquet")
    sobol_table, sobol_note = (pd.DataFrame(), "")
    if experiment["design"]["method"] == "sobol":
        sobol_table, sobol_note = sobol_indices(manifest, points, indicators)
        if not sobol_table.empty:
            write_parquet_atomic(sobol_table, out / "sobol.parquet")
            _sobol_chart(sobol_table, out / "sobol.png")
    _factor_charts(runs.merge(design, on="point"), points, factors, indicators, out / "factors.png")
    failures = load_failures(directory)
    write_text_atomic(
        out / "summary.md",
        _summary(manifest, runs, points, factors, indicators, sobol_table, sobol_note, failures),
    )
    return out


def _label(indicator: str) -> str:
    info = INDICATORS.get(indicator)
    return f"{info.label} ({info.unit})" if info else indicator


def _factor_charts(
    runs: pd.DataFrame, points: pd.DataFrame, factors: list[str], indicators: list[str], path: Path
) -> None:
    """One panel per (indicator, factor): runs as dots, point means as larger dots."""
    figure = Figure(figsize=(3.2 * len(factors), 2.6 * len(indicators)), constrained_layout=True)
    axes = figure.subplots(len(indicators), len(factors), squeeze=False)
    for i, indicator in enumerate(indicators):
        for j, factor in enumerate(factors):
            ax = axes[i, j]
            ax.scatter(runs[factor], runs[indicator], s=6, alpha=0.3, color="grey")
            ax.scatter(points[factor], points[indicator], s=14, color="tab:blue")
            if i == len(indicators) - 1:
                ax.set_xlabel(factor)
            if j == 0:
                ax.set_ylabel(_label(indicator), fontsize=8)
            ax.grid(alpha=0.3)
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=90, format="png")


def _sobol_chart(table: pd.DataFrame, path: Path) -> None:
    indicators = list(dict.fromkeys(table["indicator"]))
    figure = Figure(figsize=(5, 2.2 * len(indicators)), constrained_layout=True)
    axes = figure.subplots(len(indicators), 1, squeeze=False)[:, 0]
    for ax, indicator in zip(axes, indicators, strict=True):
        rows = table[table["indicator"] == indicator]
        y = np.arange(len(rows))
        ax.barh(y - 0.2, rows["S1"], height=0.4, xerr=rows["S1_conf"], label="first order")
        ax.barh(y + 0.2, rows["ST"], height=0.4, xerr=rows["ST_conf"], label="total")
        ax.set_yticks(y, rows["factor"])
        ax.set_title(_label(indicator), fontsize=9)
        ax.set_xlim(left=min(0, float(rows[["S1", "ST"]].min().min())))
    axes[0].legend(fontsize=8)
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=90, format="png")


def _run_outcome_wording(kept_months) -> str:
    """What a run's outcome is, given the months the experiment kept (see run_outcomes)."""
    if kept_months in ("final_year", "all"):
        return "the mean of its last 12 months"
    if kept_months == "year_ends":
        return "its value in the December of its final year (the experiment keeps year ends only)"
    return "the mean of its kept months within its last 12 months"


def _summary(manifest, runs, points, factors, indicators, sobol_table, sobol_note, failures) -> str:
    experiment = manifest["experiment"]
    design = experiment["design"]
    lines = [
        f"# Sweep {experiment['name']}: analysis",
        "",
        experiment.get("description", "").strip(),
        "",
        f"- design: {design['method']}, {manifest['points']} points x {manifest['replicates']} replicates "
        f"= {manifest['runs']} runs; {len(runs)} runs done, {len(failures)} failed and not rerun",
        f"- factors: {', '.join(factors)}",
        f"- root seed {manifest['root_seed']}; replicate r of every point shares its random streams",
        f"- outcome of a run: {_run_outcome_wording(experiment['outputs']['months'])}; "
        "of a point: the mean over its replicates",
        "",
    ]
    if design["method"] == "sobol":
        lines += ["## Sobol indices (SALib, 95 % confidence intervals)", ""]
        if sobol_table.empty:
            lines += [sobol_note or "No indicator varied.", ""]
        else:
            lines += [
                "![Sobol indices](sobol.png)",
                "",
                "| indicator | factor | first order | total |",
                "|---|---|---|---|",
            ]
            for row in sobol_table.itertuples():
                lines.append(
                    f"| {_label(row.indicator)} | {row.factor} | {row.S1:.3f} ± {row.S1_conf:.3f} | "
                    f"{row.ST:.3f} ± {row.ST_conf:.3f} |"
                )
            lines.append("")
    lines += ["## Outcomes against factors", "", "![Factors and outcomes](factors.png)", ""]
    lines += [
        "## Outcome ranges over the design",
        "",
        "| indicator | lowest point mean | highest point mean |",
        "|---|---|---|",
    ]
    for indicator in indicators:
        lines.append(
            f"| {_label(indicator)} | {points[indicator].min():.4g} | {points[indicator].max():.4g} |"
        )
    if design["method"] == "grid" and len(factors) == 2:
        lines += ["", "## Grid", ""]
        for indicator in indicators:
            pivot = points.pivot_table(index=factors[0], columns=factors[1], values=indicator)
            lines += [f"### {_label(indicator)}", "", _markdown_table(pivot), ""]
    if len(failures):
        lines += ["", "## Failed runs", "", "| point | replicate | error |", "|---|---|---|"]
        for row in failures.itertuples():
            lines.append(f"| {row.point} | {row.replicate} | {row.error} |")
    return "\n".join(lines) + "\n"


def _markdown_table(pivot: pd.DataFrame) -> str:
    header = (
        f"| {pivot.index.name} \\ {pivot.columns.name} | " + " | ".join(str(c) for c in pivot.columns) + " |"
    )
    rule = "|---" * (len(pivot.columns) + 1) + "|"
    rows = [
        f"| {index} | " + " | ".join(f"{v:.4g}" for v in values) + " |" for index, values in pivot.iterrows()
    ]
    return "\n".join([header, rule, *rows])
