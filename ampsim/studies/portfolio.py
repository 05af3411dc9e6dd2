"""Portfolio search on a budget grid: which mix of programmes does best for its money.

A portfolio sweep is a grid over the programmes' budgets (`design.budget` leaves out the mixes
above a total), run as paired differences from the baseline, so every point is one mix with its
effects and its extra spending (`spent_eur`, measured in the runs). Two fronts answer the two
questions a policy team asks: the Pareto front of two outcomes (no other mix is better on both),
and the best mix for an outcome within each budget (the front of spending and that outcome).
A direction is the indicator catalogue's `better`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ampsim.core.errors import InputError
from ampsim.core.io import atomic_path
from ampsim.indicators import METRO as INDICATORS
from ampsim.indicators import titled

SPENT = "spent_eur"


def parse_outcomes(text: str, indicators: list[str]) -> tuple[str, str]:
    """Two of the sweep's outcomes with a better direction, `A,B`; InputError otherwise."""
    names = [name.strip() for name in text.split(",")]
    if len(names) != 2 or names[0] == names[1]:
        raise InputError(f"--pareto: expected two different outcomes A,B, got {text!r}")
    for name in names:
        if name not in indicators:
            raise InputError(
                f"--pareto: {name!r} is not an outcome of this sweep; outcomes: {', '.join(indicators)}"
            )
        if INDICATORS[name].better == "neutral":
            raise InputError(
                f"--pareto: {name!r} has no better direction (neither lower nor higher is better)"
            )
    return names[0], names[1]


def _gain(points: pd.DataFrame, indicator: str) -> np.ndarray:
    """The outcome with its sign set so that more is better."""
    sign = -1.0 if INDICATORS[indicator].better == "lower" else 1.0
    return sign * points[indicator].to_numpy(float)


def pareto_mask(gains: np.ndarray) -> np.ndarray:
    """Points (rows of two gains) that no other point dominates: at least as good on both, better
    on one. One pass in order of the first gain, best first (n log n, for grids of any size)."""
    order = np.lexsort((-gains[:, 1], -gains[:, 0]))  # first gain descending, then the second
    front = np.zeros(len(gains), bool)
    best_before = -np.inf  # the best second gain among points with a strictly larger first gain
    group_best, group_first = -np.inf, None
    for i in order:
        first, second = gains[i]
        if first != group_first:  # a new value of the first gain: the previous ones are all better
            best_before = max(best_before, group_best)
            group_first, group_best = first, second  # sorted: the group's first point is its best
        front[i] = second > best_before and second >= group_best
    return front


def portfolio_table(points: pd.DataFrame, factors: list[str], a: str, b: str) -> pd.DataFrame:
    """Every mix with its spending, the two outcomes, and whether it is on each front."""
    if SPENT not in points:
        raise InputError(
            "--pareto needs paired differences with their spending: give the experiment "
            "`compare_with` (the baseline) and rerun the sweep"
        )
    table = points[["point", *factors, SPENT, a, b, "replicates_done"]].copy()
    table["pareto_front"] = pareto_mask(np.column_stack([_gain(points, a), _gain(points, b)]))
    spending = -points[SPENT].to_numpy(float)  # spending less is better
    table[f"best_for_budget_{a}"] = pareto_mask(np.column_stack([spending, _gain(points, a)]))
    return table.sort_values(SPENT).reset_index(drop=True)


def best_within(table: pd.DataFrame, outcome: str, budget_eur: float) -> pd.Series | None:
    """The mix best on `outcome` among those spending at most `budget_eur`, or None."""
    affordable = table[table[SPENT] <= budget_eur]
    if affordable.empty:
        return None
    gains = _gain(affordable, outcome)
    return affordable.iloc[int(np.argmax(gains))]


def pareto_chart(table: pd.DataFrame, a: str, b: str, path) -> None:
    """Left: the two outcomes with their front; right: spending and outcome A with its front."""
    figure = Figure(figsize=(9, 3.6), constrained_layout=True)
    left, right = figure.subplots(1, 2)
    front = table[table["pareto_front"]].sort_values(a)
    scatter = left.scatter(table[a], table[b], c=table[SPENT] / 1e6, cmap="viridis", s=24)
    left.plot(front[a], front[b], color="black", lw=1, marker="o", mfc="none", ms=9, label="Pareto front")
    left.set_xlabel(f"{titled(a)}, difference")
    left.set_ylabel(f"{titled(b)}, difference")
    left.legend(fontsize=8)
    figure.colorbar(scatter, ax=left, label="extra spending, M€")
    best = table[table[f"best_for_budget_{a}"]].sort_values(SPENT)
    right.scatter(table[SPENT] / 1e6, table[a], color="grey", s=18)
    right.step(best[SPENT] / 1e6, best[a], where="post", color="black", lw=1, label="best within budget")
    right.set_xlabel("extra spending, M€")
    right.set_ylabel(f"{titled(a)}, difference")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=90, format="png")
