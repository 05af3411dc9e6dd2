"""Global sensitivity of a sweep's outcomes: Sobol indices, Morris elementary effects (SALib), and
the share of the variance that is replicate noise rather than the factors.

Both SALib analyses read the points' means in design order, with the design in the unit cube
(`experiment.unit_design`), so a Morris effect is the change of the outcome when a factor moves
over its whole range. The noise share says how far to trust them: with R replicates a point's
mean still carries 1/R of the within-point variance, and an index computed on noise is noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ampsim.core.io import atomic_path
from ampsim.indicators import titled
from ampsim.studies.experiment import Experiment, unit_design


def factor_labels(manifest: dict) -> list[str]:
    """The factors' names in design order."""
    return [f.get("name") or f["path"].split(".")[-1] for f in manifest["experiment"]["factors"]]


def _missing_points(manifest: dict, points: pd.DataFrame, method: str) -> str:
    missing = manifest["points"] - len(points)
    if missing <= 0:
        return ""
    return (
        f"{method} indices need every point of the design; {missing} points have no run yet "
        "(resume the sweep, or see the failures)"
    )


def _varied(points: pd.DataFrame, indicator: str) -> np.ndarray | None:
    y = points.sort_values("point")[indicator].to_numpy(float)
    return y if np.all(np.isfinite(y)) and np.ptp(y) > 0 else None


def _indices(
    manifest: dict,
    points: pd.DataFrame,
    indicators: list[str],
    method: str,
    analyse,
    columns: tuple[str, ...],
) -> tuple[pd.DataFrame, str]:
    """One row per (indicator, factor) with `columns` of `analyse(problem, y)`'s result, for the
    indicators that vary; empty, with the reason, when points are missing."""
    factors = factor_labels(manifest)
    note = _missing_points(manifest, points, method)
    if note:
        return pd.DataFrame(), note
    problem = {"num_vars": len(factors), "names": factors, "bounds": [[0.0, 1.0]] * len(factors)}
    rows = []
    for indicator in indicators:
        y = _varied(points, indicator)
        if y is None:
            continue
        result = analyse(problem, y)
        for k, factor in enumerate(factors):
            rows.append({"indicator": indicator, "factor": factor, **{c: result[c][k] for c in columns}})
    return pd.DataFrame(rows), ""


def sobol_indices(manifest: dict, points: pd.DataFrame, indicators: list[str]) -> tuple[pd.DataFrame, str]:
    """First-order and total Sobol indices with their confidence intervals, per indicator."""
    from SALib.analyze import sobol

    design = manifest["experiment"]["design"]

    def analyse(problem: dict, y: np.ndarray) -> dict:
        second = design["second_order"]
        return sobol.analyze(
            problem, y, calc_second_order=second, seed=design["seed"], print_to_console=False
        )

    return _indices(manifest, points, indicators, "Sobol", analyse, ("S1", "S1_conf", "ST", "ST_conf"))


def morris_effects(manifest: dict, points: pd.DataFrame, indicators: list[str]) -> tuple[pd.DataFrame, str]:
    """Morris screening per indicator: mu* (mean absolute elementary effect over the factor's whole
    range, with its bootstrap interval), mu (signed) and sigma (non-linearity or interactions)."""
    from SALib.analyze import morris

    experiment = Experiment.model_validate(manifest["experiment"])
    design, unit = experiment.design, unit_design(experiment)

    def analyse(problem: dict, y: np.ndarray) -> dict:
        levels = design.morris_levels
        return morris.analyze(problem, unit, y, num_levels=levels, seed=design.seed, print_to_console=False)

    columns = ("mu_star", "mu_star_conf", "mu", "sigma")
    return _indices(manifest, points, indicators, "Morris", analyse, columns)


def noise_shares(runs: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    """Per indicator: the variance of run outcomes, its within-point (replicate) part, and the
    share of noise in the points' means (within / replicates over the variance of the means).
    Empty when no point has two replicates."""
    rows = []
    for indicator in indicators:
        grouped = runs.groupby("point")[indicator]
        within = grouped.var(ddof=1).dropna()
        if within.empty:
            continue
        replicates = grouped.size().loc[within.index]
        total = float(runs[indicator].var(ddof=1))
        means = float(grouped.mean().var(ddof=1))
        noise_in_means = float((within / replicates).mean())
        rows.append(
            {
                "indicator": indicator,
                "run_variance": total,
                "within_point_variance": float(within.mean()),
                "noise_share_of_runs": float(within.mean()) / total if total > 0 else np.nan,
                "noise_share_of_point_means": noise_in_means / means if means > 0 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def index_chart(table: pd.DataFrame, bars: tuple[str, str], labels: tuple[str, str], path) -> None:
    """Two bars per factor and indicator (S1 and ST, or mu* and sigma), with their intervals."""
    indicators = list(dict.fromkeys(table["indicator"]))
    figure = Figure(figsize=(5, 2.2 * len(indicators)), constrained_layout=True)
    axes = figure.subplots(len(indicators), 1, squeeze=False)[:, 0]
    for ax, indicator in zip(axes, indicators, strict=True):
        rows = table[table["indicator"] == indicator]
        y = np.arange(len(rows))
        for offset, column, label in zip((-0.2, 0.2), bars, labels, strict=True):
            error = rows.get(f"{column}_conf")
            ax.barh(y + offset, rows[column], height=0.4, xerr=error, label=label)
        ax.set_yticks(y, rows["factor"])
        ax.set_title(titled(indicator), fontsize=9)
        ax.set_xlim(left=min(0, float(rows[list(bars)].min().min())))
    axes[0].legend(fontsize=8)
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=90, format="png")
