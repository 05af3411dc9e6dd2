"""Analysis of a sweep: sensitivity indices (Sobol or Morris designs) with the share of noise,
PRIM scenario discovery, a portfolio's Pareto fronts, factor-outcome plots and a summary.

A run's outcome for an indicator is its value over the final year (the mean of its kept rows in
the last 12 months of its horizon); a point's outcome is the mean over its replicates. With
`compare_with` the outcomes are paired differences (scenario minus its comparison). Sensitivity
indices need every point of the design in the sample order: they are computed on the points'
means in design order, and skipped (with the reason) when runs are missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import pandas as pd
from matplotlib.figure import Figure

from ampsim.core.errors import InputError
from ampsim.core.io import atomic_path, write_parquet_atomic, write_text_atomic
from ampsim.indicators import titled
from ampsim.studies import portfolio, prim
from ampsim.studies.sensitivity import index_chart, morris_effects, noise_shares, sobol_indices
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


def analyze(
    directory: str | os.PathLike,
    *,
    prim_target: str | None = None,
    pareto: str | None = None,
    budget_eur: float | None = None,
) -> Path:
    """Write `analysis/` in a results folder: tables, plots and summary.md; returns its path.
    `prim_target` (`INDICATOR<VALUE`) adds PRIM boxes of the points that miss it; `pareto` (`A,B`)
    the Pareto fronts of a portfolio sweep, and the best mix within `budget_eur`."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"{directory}: {'not a folder' if directory.exists() else 'no such folder'}")
    manifest = read_manifest(directory)  # InputError for a folder that is not a sweep's
    experiment = manifest["experiment"]
    indicators = experiment["outputs"]["indicators"]
    target = prim.parse_target(prim_target, indicators) if prim_target else None
    outcomes = portfolio.parse_outcomes(pareto, indicators) if pareto else None
    if budget_eur is not None and outcomes is None:
        raise InputError("--budget needs --pareto A,B (the best mix on A within the budget)")
    results = load_results(directory)
    if results.empty:
        raise InputError(f"{directory}: no finished run yet")
    kept = indicators + ([portfolio.SPENT] if portfolio.SPENT in results else [])
    design = pd.read_parquet(directory / "design.parquet")
    factors = [c for c in design.columns if c != "point"]
    runs = run_outcomes(results, kept).merge(design, on="point")
    points = point_outcomes(runs, kept).merge(design, on="point")
    out = directory / "analysis"
    out.mkdir(exist_ok=True)
    write_parquet_atomic(runs, out / "runs.parquet")
    write_parquet_atomic(points, out / "points.parquet")
    failures = load_failures(directory)
    lines = _header(manifest, runs, factors, failures)
    lines += _sensitivity(manifest, runs, points, indicators, out)
    if target is not None:
        lines += _prim_section(points, factors, target, out)
    if outcomes is not None:
        lines += _portfolio_section(points, factors, outcomes, budget_eur, out)
    _factor_charts(runs, points, factors, indicators, out / "factors.png")
    lines += _ranges(experiment, points, factors, indicators)
    lines += _failures(failures)
    write_text_atomic(out / "summary.md", "\n".join(lines) + "\n")
    return out


def _header(manifest: dict, runs: pd.DataFrame, factors: list[str], failures: pd.DataFrame) -> list[str]:
    experiment = manifest["experiment"]
    design = experiment["design"]
    compared = experiment.get("compare_with")
    outcome = "a paired difference, scenario minus " + compared if compared else "a level"
    return [
        f"# Sweep {experiment['name']}: analysis",
        "",
        experiment.get("description", "").strip(),
        "",
        f"- design: {design['method']}, {manifest['points']} points x {manifest['replicates']} replicates "
        f"= {manifest['runs']} runs; {len(runs)} runs done, {len(failures)} failed and not rerun",
        f"- factors: {', '.join(factors)}",
        f"- root seed {manifest['root_seed']}; replicate r of every point shares its random streams",
        f"- each outcome is {outcome}",
        f"- outcome of a run: {_run_outcome_wording(experiment['outputs']['months'])}; "
        "of a point: the mean over its replicates",
        "",
    ]


def _sensitivity(manifest, runs, points, indicators, out: Path) -> list[str]:
    """Sobol or Morris indices (for those designs) and the noise shares (with replicates)."""
    method = manifest["experiment"]["design"]["method"]
    lines: list[str] = []
    noise = noise_shares(runs, indicators)
    if not noise.empty:
        write_parquet_atomic(noise, out / "noise.parquet")
        lines += [
            "## Replicate noise",
            "",
            "Share of the variance that is noise: of the runs (within-point variance over the variance "
            "of all runs), and of the points' means, which the indices below read (within-point "
            "variance / replicates, over the variance of the means). Above about 0.3, an index says "
            "more about the noise than about the factors: add replicates.",
            "",
            "| indicator | noise share of runs | noise share of point means |",
            "|---|---|---|",
        ]
        for row in noise.itertuples():
            lines.append(
                f"| {titled(row.indicator)} | {row.noise_share_of_runs:.3f} | "
                f"{row.noise_share_of_point_means:.3f} |"
            )
        lines.append("")
    if method == "sobol":
        table, note = sobol_indices(manifest, points, indicators)
        lines += ["## Sobol indices (SALib, 95 % confidence intervals)", ""]
        columns = ("S1", "ST", "first order", "total")
    elif method == "morris":
        table, note = morris_effects(manifest, points, indicators)
        lines += [
            "## Morris elementary effects (SALib)",
            "",
            "mu* is the mean absolute change of the outcome when the factor moves over its whole range "
            "(with its 95 % bootstrap interval), mu its signed mean, sigma their spread (non-linearity "
            "or interactions).",
            "",
        ]
        columns = ("mu_star", "sigma", "mu*", "sigma")
    else:
        return lines
    if table.empty:
        return [*lines, note or "No indicator varied.", ""]
    write_parquet_atomic(table, out / f"{method}.parquet")
    index_chart(table, columns[:2], columns[2:], out / f"{method}.png")
    lines += [f"![{method} indices]({method}.png)", ""]
    if method == "sobol":
        lines += ["| indicator | factor | first order | total |", "|---|---|---|---|"]
        lines += [
            f"| {titled(r.indicator)} | {r.factor} | {r.S1:.3f} ± {r.S1_conf:.3f} | "
            f"{r.ST:.3f} ± {r.ST_conf:.3f} |"
            for r in table.itertuples()
        ]
    else:
        lines += ["| indicator | factor | mu* | mu | sigma |", "|---|---|---|---|---|"]
        lines += [
            f"| {titled(r.indicator)} | {r.factor} | {r.mu_star:.4g} ± {r.mu_star_conf:.2g} | {r.mu:.4g} | "
            f"{r.sigma:.4g} |"
            for r in table.itertuples()
        ]
    return [*lines, ""]


def _prim_section(points: pd.DataFrame, factors: list[str], target: prim.Target, out: Path) -> list[str]:
    """PRIM boxes of the points (replicate means) that miss the target."""
    failing = ~target.met(points[target.indicator])
    lines = [f"## Scenario discovery (PRIM): where {target} fails", ""]
    lines.append(f"{int(failing.sum())} of {len(points)} points miss the target.")
    if failing.sum() == 0 or failing.all():
        return [*lines, "PRIM needs points that meet the target and points that miss it.", ""]
    trajectory = prim.peel(points[factors], failing)
    write_parquet_atomic(trajectory, out / "prim.parquet")
    box = prim.chosen_box(trajectory)
    lines += [
        "",
        f"Box with the highest density that still covers half the failures: {prim.box_text(box)} — "
        f"{box['points']} points ({box['mass']:.0%} of the design), coverage {box['coverage']:.0%}, "
        f"density {box['density']:.0%} (the whole design: {failing.mean():.0%}).",
        "",
        "| step | points | coverage | density | restricted |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {k} | {r.points} | {r.coverage:.2f} | {r.density:.2f} | {r.restricted or '-'} |"
        for k, r in enumerate(trajectory.itertuples())
    ]
    return [*lines, ""]


def _portfolio_section(points, factors, outcomes: tuple[str, str], budget_eur, out: Path) -> list[str]:
    """The Pareto front of two outcomes and the best mix on the first within each budget."""
    a, b = outcomes
    table = portfolio.portfolio_table(points, factors, a, b)
    write_parquet_atomic(table, out / "portfolio.parquet")
    portfolio.pareto_chart(table, a, b, out / "pareto.png")
    lines = [
        f"## Portfolio: {titled(a)} and {titled(b)}",
        "",
        "Each point is a mix of programmes; outcomes are paired differences from the comparison "
        "scenario, spending is the extra euros spent over the horizon, measured in the runs. "
        "`front`: no other mix is better on both outcomes; `best for budget`: no cheaper mix does "
        f"better on {a}.",
        "",
        "![Pareto fronts](pareto.png)",
        "",
        "| " + " | ".join(factors) + f" | extra spending, M€ | {a} | {b} | front | best for budget |",
        "|---" * (len(factors) + 5) + "|",
    ]
    for row in table.to_dict("records"):
        mix = " | ".join(f"{row[f]:.4g}" for f in factors)
        marks = ("yes" if row["pareto_front"] else "", "yes" if row[f"best_for_budget_{a}"] else "")
        lines.append(
            f"| {mix} | {row[portfolio.SPENT] / 1e6:.2f} | {row[a]:.4g} | {row[b]:.4g} | "
            f"{marks[0]} | {marks[1]} |"
        )
    if budget_eur is not None:
        best = portfolio.best_within(table, a, budget_eur)
        lines.append("")
        if best is None:
            lines.append(f"No mix spends at most {budget_eur / 1e6:.2f} M€.")
        else:
            mix = ", ".join(f"{f} = {best[f]:.4g}" for f in factors)
            lines.append(
                f"Best on {a} within {budget_eur / 1e6:.2f} M€: {mix} ({best[portfolio.SPENT] / 1e6:.2f} M€; "
                f"{a} {best[a]:.4g}, {b} {best[b]:.4g})."
            )
    return [*lines, ""]


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
                ax.set_ylabel(titled(indicator), fontsize=8)
            ax.grid(alpha=0.3)
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=90, format="png")


def _run_outcome_wording(kept_months) -> str:
    """What a run's outcome is, given the months the experiment kept (see run_outcomes)."""
    if kept_months in ("final_year", "all"):
        return "the mean of its last 12 months"
    if kept_months == "year_ends":
        return "its value in the December of its final year (the experiment keeps year ends only)"
    return "the mean of its kept months within its last 12 months"


def _ranges(experiment: dict, points: pd.DataFrame, factors: list[str], indicators: list[str]) -> list[str]:
    lines = ["## Outcomes against factors", "", "![Factors and outcomes](factors.png)", ""]
    lines += [
        "## Outcome ranges over the design",
        "",
        "| indicator | lowest point mean | highest point mean |",
        "|---|---|---|",
    ]
    for indicator in indicators:
        lines.append(
            f"| {titled(indicator)} | {points[indicator].min():.4g} | {points[indicator].max():.4g} |"
        )
    if experiment["design"]["method"] == "grid" and len(factors) == 2:
        lines += ["", "## Grid", ""]
        for indicator in indicators:
            pivot = points.pivot_table(index=factors[0], columns=factors[1], values=indicator)
            lines += [f"### {titled(indicator)}", "", _markdown_table(pivot), ""]
    return lines


def _failures(failures: pd.DataFrame) -> list[str]:
    if not len(failures):
        return []
    lines = ["", "## Failed runs", "", "| point | replicate | error |", "|---|---|---|"]
    return lines + [f"| {row.point} | {row.replicate} | {row.error} |" for row in failures.itertuples()]


def _markdown_table(pivot: pd.DataFrame) -> str:
    header = (
        f"| {pivot.index.name} \\ {pivot.columns.name} | " + " | ".join(str(c) for c in pivot.columns) + " |"
    )
    rule = "|---" * (len(pivot.columns) + 1) + "|"
    rows = [
        f"| {index} | " + " | ".join(f"{v:.4g}" for v in values) + " |" for index, values in pivot.iterrows()
    ]
    return "\n".join([header, rule, *rows])
