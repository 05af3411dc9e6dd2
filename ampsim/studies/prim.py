"""PRIM scenario discovery: which region of the factors makes a programme miss its target.

The Patient Rule Induction Method (Friedman & Fisher 1999, as in EMA Workbench and Bryant &
Lempert 2010) starts from the box holding every point and peels, one step at a time, the `alpha`
share of the points at the low or high end of one factor — the peel that most raises the share
of failing points left inside — until the box holds less than `min_mass` of the points or no
peel raises it. Each step is a box with its *coverage* (share of all failures inside it) and
*density* (share of the points inside that fail); the box reported is the densest one that still
covers at least `min_coverage` of the failures.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ampsim.core.errors import InputError

OPERATORS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}
_CONDITION = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(<=|>=|<|>)\s*([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*$")


@dataclass(frozen=True)
class Target:
    """A condition an outcome must meet, such as `neet_share<-0.2` (a paired difference)."""

    indicator: str
    comparison: str
    value: float

    def met(self, values: pd.Series) -> np.ndarray:
        return OPERATORS[self.comparison](values.to_numpy(float), self.value)

    def __str__(self) -> str:
        return f"{self.indicator} {self.comparison} {self.value:g}"


def parse_target(text: str, indicators: list[str]) -> Target:
    """`INDICATOR<VALUE` (or <=, >, >=) on one of the sweep's indicators; InputError otherwise."""
    match = _CONDITION.match(text)
    if match is None:
        raise InputError(f"--prim: expected INDICATOR<VALUE (or <=, >, >=), got {text!r}")
    indicator, comparison, value = match.groups()
    if indicator not in indicators:
        raise InputError(
            f"--prim: {indicator!r} is not an outcome of this sweep; outcomes: {', '.join(indicators)}"
        )
    return Target(indicator, comparison, float(value))


def peel(x: pd.DataFrame, failing: np.ndarray, alpha: float = 0.05, min_mass: float = 0.05) -> pd.DataFrame:
    """The peeling trajectory: one row per box, with its bounds (`<factor>_low`, `<factor>_high`),
    mass, coverage, density and the factors it restricts."""
    values = x.to_numpy(float)
    low, high = values.min(axis=0), values.max(axis=0)
    inside = np.ones(len(values), bool)
    steps = [_box(x, values, failing, inside, low, high)]
    while inside.mean() > min_mass:
        best = None
        for j in range(values.shape[1]):
            column = values[inside, j]
            for side, cut in (("low", np.quantile(column, alpha)), ("high", np.quantile(column, 1 - alpha))):
                keep = inside & (values[:, j] >= cut if side == "low" else values[:, j] <= cut)
                if keep.sum() in (0, inside.sum()):  # peels nothing, or everything (ties at a level)
                    continue
                density = failing[keep].mean()
                if best is None or (density, keep.sum()) > (best[0], best[1].sum()):
                    best = (density, keep, j, side, cut)
        if best is None or best[0] < failing[inside].mean():
            break
        _, inside, j, side, cut = best
        bounds = low if side == "low" else high
        bounds = bounds.copy()
        bounds[j] = cut
        low, high = (bounds, high) if side == "low" else (low, bounds)
        steps.append(_box(x, values, failing, inside, low, high))
    return pd.DataFrame(steps)


def _box(x, values, failing, inside, low, high) -> dict:
    full_low, full_high = values.min(axis=0), values.max(axis=0)
    restricted = [name for k, name in enumerate(x.columns) if low[k] > full_low[k] or high[k] < full_high[k]]
    row = {
        "points": int(inside.sum()),
        "mass": float(inside.mean()),
        "coverage": float(failing[inside].sum() / max(failing.sum(), 1)),
        "density": float(failing[inside].mean()),
        "restricted": ", ".join(restricted),
    }
    for k, name in enumerate(x.columns):
        row[f"{name}_low"], row[f"{name}_high"] = float(low[k]), float(high[k])
    return row


def chosen_box(trajectory: pd.DataFrame, min_coverage: float = 0.5) -> pd.Series:
    """The densest box that still covers `min_coverage` of the failures (the first such on ties)."""
    covering = trajectory[trajectory["coverage"] >= min_coverage]
    return covering.loc[covering["density"].idxmax()]


def box_text(box: pd.Series) -> str:
    """The box's restrictions in words: `alpha in [0.5, 0.62]; rate >= 9`."""
    if not box["restricted"]:
        return "the whole design (no restriction raises the share of failures)"
    parts = []
    for name in box["restricted"].split(", "):
        parts.append(f"{name} in [{box[f'{name}_low']:.4g}, {box[f'{name}_high']:.4g}]")
    return "; ".join(parts)
