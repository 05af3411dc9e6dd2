"""Paired comparison of policy scenarios with a baseline: differences with 95 % intervals and the
smallest detectable difference, by indicator, month and zone, the cost per outcome (see
`statistics` and `costs`), and every replicate's metro values, so that nothing is only averaged.

A comparison is tables; `reports.comparison` renders them, `write_tables` and `read_comparison`
store and load them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ampsim.core.io import json_default
from ampsim.indicators import METRO, ZONE_NAMES
from ampsim.studies.costs import COST_OUTCOMES, cost_rows, spending
from ampsim.studies.statistics import (
    CONFIDENCE,
    FINAL_MONTHS,
    excludes_zero,
    final_values,
    minimum_detectable_difference,
    paired_differences,
    paired_interval,
    total_values,
    verdict,
)

if TYPE_CHECKING:
    from ampsim.studies.runner import RunResult

TABLE_NAMES = ("summary", "series", "zones", "costs", "replicates", "participants")  # <name>.parquet
OPTIONAL_TABLES = ("replicates", "participants")  # absent from comparisons written before them
ATTRIBUTES = {"replicates": "by_replicate"}  # `Comparison.replicates` is the number of replicates


@dataclass
class Comparison:
    """The tables of a paired comparison of scenarios with a baseline, and their provenance.

    `by_replicate` (written as replicates.parquet) is tidy: scenario, replicate, month, date,
    indicator, value, for every scenario (the baseline too), replicate, month and metro indicator.
    """

    base: str
    scenarios: list[str]
    replicates: int
    summary: pd.DataFrame
    series: pd.DataFrame
    zones: pd.DataFrame
    costs: pd.DataFrame
    by_replicate: pd.DataFrame = field(default_factory=pd.DataFrame)
    metadata: dict[str, Any] = field(default_factory=dict)
    participants: pd.DataFrame = field(default_factory=pd.DataFrame)  # `studies.participants`


def compare(
    runs: dict[str, list[RunResult]],
    base: str,
    metadata: dict[str, Any] | None = None,
    participants: pd.DataFrame | None = None,
) -> Comparison:
    """Compare each scenario's replicates with the baseline's, pair by pair.

    `metadata` is kept as given; the report reads `descriptions` ({scenario: text}) and `resolved`
    ({scenario: resolved scenario}) from it, and shows any other key as provenance. `participants`
    (`studies.participants.participant_effects`) is kept as given.
    """
    scenarios = _check_runs(runs, base)
    base_runs = runs[base]
    indicators = [name for name in METRO if all(_has(r.metro, name) for rs in runs.values() for r in rs)]
    base_values = _stack(base_runs, indicators)
    base_zone_tables: list[pd.DataFrame] | None = None  # made once, for the first scenario with zones
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLE_NAMES}
    parts["replicates"].append(_replicate_rows(base, indicators, base_runs, base_values))
    for name in scenarios:
        other_values = _stack(runs[name], indicators)
        parts["replicates"].append(_replicate_rows(name, indicators, runs[name], other_values))
        parts["summary"].append(_summary_rows(name, indicators, base_values, other_values))
        parts["series"].append(_series_rows(name, indicators, base_runs[0].metro, base_values, other_values))
        if all(_has(r.zones, "month") for r in (*base_runs, *runs[name])):
            base_zone_tables = base_zone_tables or [zone_final(r) for r in base_runs]
            parts["zones"].append(_zone_rows(name, base_zone_tables, runs[name]))
        parts["costs"].append(cost_rows(name, base_runs, runs[name]))
    tables = {
        _attribute(name): pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        for name, frames in parts.items()
    }
    tables["by_replicate"] = _compact(tables["by_replicate"], [base, *scenarios], indicators)
    tables["participants"] = pd.DataFrame() if participants is None else participants
    derived = _derived_metadata(runs, base, scenarios)
    return Comparison(
        base=base,
        scenarios=scenarios,
        replicates=len(base_runs),
        metadata={**derived, **(metadata or {})},
        **tables,
    )


def _check_runs(runs: dict[str, list[RunResult]], base: str) -> list[str]:
    """The scenarios other than the baseline, after checking that the runs can be paired."""
    if base not in runs:
        raise ValueError(f"the baseline {base!r} is not among the scenarios run: {sorted(runs)}")
    scenarios = [name for name in runs if name != base]
    if not scenarios:
        raise ValueError("a comparison needs at least one scenario besides the baseline")
    n = len(runs[base])
    if n == 0:
        raise ValueError(f"the baseline {base!r} has no runs")
    base_months = [tuple(r.metro["month"]) for r in runs[base]]
    base_seeds = [_seed_key(r) for r in runs[base]]
    for name in scenarios:
        if len(runs[name]) != n:
            raise ValueError(
                f"{name!r} has {len(runs[name])} replicates, the baseline {n}: they cannot be paired"
            )
        for r, (run, months, seed) in enumerate(zip(runs[name], base_months, base_seeds, strict=True)):
            if tuple(run.metro["month"]) != months:
                raise ValueError(f"replicate {r} of {name!r} covers other months than the baseline's")
            if _seed_key(run) != seed:
                raise ValueError(
                    f"replicate {r} of {name!r} has another seed than the baseline's: not paired"
                )
    return scenarios


def _seed_key(run: RunResult) -> tuple[Any, Any]:
    """What identifies a replicate's random numbers (None where the metadata does not say)."""
    return (run.metadata.get("seed_entropy"), run.metadata.get("replicate"))


def _has(table: pd.DataFrame, column: str) -> bool:
    """Whether a table has a column (tables of older runs may lack recent indicators)."""
    return column in table.columns


def _stack(runs: Sequence[RunResult], columns: Sequence[str]) -> np.ndarray:
    """Metro values as an array (replicates, months, indicators)."""
    return np.stack([r.metro[list(columns)].to_numpy(dtype=float) for r in runs])


def _summary_rows(
    scenario: str, names: Sequence[str], base_values: np.ndarray, other_values: np.ndarray
) -> pd.DataFrame:
    """Final-year and whole-horizon differences with intervals, one row per indicator."""
    info = [METRO[name] for name in names]
    kinds = [i.kind for i in info]
    n = base_values.shape[0]
    base_final, other_final = final_values(base_values), final_values(other_values)
    base_total, other_total = total_values(base_values, kinds), total_values(other_values, kinds)
    diff_final, final_low, final_high = paired_interval(paired_differences(other_final, base_final))
    diff_total, total_low, total_high = paired_interval(paired_differences(other_total, base_total))
    mdd_final = minimum_detectable_difference(paired_differences(other_final, base_final))
    mdd_total = minimum_detectable_difference(paired_differences(other_total, base_total))
    significant = excludes_zero(final_low, final_high)
    return pd.DataFrame(
        {
            "scenario": scenario,
            "indicator": list(names),
            "label": [i.label for i in info],
            "group": [i.group for i in info],
            "kind": kinds,
            "unit": [i.final_unit for i in info],
            "total_unit": [i.unit for i in info],
            "total_basis": [i.total_basis for i in info],
            "better": [i.better for i in info],
            "base_final": base_final.mean(axis=0),
            "other_final": other_final.mean(axis=0),
            "diff_final": diff_final,
            "diff_final_low": final_low,
            "diff_final_high": final_high,
            "significant": significant,
            "mdd_final": mdd_final,
            "verdict": [
                verdict(i.better, d, s, n) for i, d, s in zip(info, diff_final, significant, strict=True)
            ],
            "base_total": base_total.mean(axis=0),
            "other_total": other_total.mean(axis=0),
            "diff_total": diff_total,
            "diff_total_low": total_low,
            "diff_total_high": total_high,
            "significant_total": excludes_zero(total_low, total_high),
            "mdd_total": mdd_total,
        }
    )


def _series_rows(
    scenario: str,
    names: Sequence[str],
    calendar: pd.DataFrame,
    base_values: np.ndarray,
    other_values: np.ndarray,
) -> pd.DataFrame:
    """Monthly means of both scenarios and of their difference with its interval."""
    _, months, k = base_values.shape
    diff, low, high = paired_interval(paired_differences(other_values, base_values))
    return pd.DataFrame(
        {
            "scenario": scenario,
            "indicator": np.tile(np.asarray(names, dtype=object), months),
            "month": np.repeat(calendar["month"].to_numpy(), k),
            "date": np.repeat(calendar["date"].astype(str).to_numpy(), k),
            "base_mean": base_values.mean(axis=0).ravel(),
            "other_mean": other_values.mean(axis=0).ravel(),
            "diff_mean": diff.ravel(),
            "diff_low": low.ravel(),
            "diff_high": high.ravel(),
        }
    ).sort_values(["indicator", "month"], kind="stable", ignore_index=True)


def _replicate_rows(
    scenario: str, names: Sequence[str], runs: Sequence[RunResult], values: np.ndarray
) -> pd.DataFrame:
    """Every replicate's metro values, one row per (replicate, month, indicator); `values` is
    `_stack(runs, names)`. The replicate is the run's own number (its position if unrecorded)."""
    n, months, k = values.shape
    calendar = runs[0].metro
    numbers = [_replicate_number(run, r) for r, run in enumerate(runs)]
    return pd.DataFrame(
        {
            "scenario": scenario,
            "replicate": np.repeat(np.asarray(numbers, dtype=np.int32), months * k),
            "month": np.tile(np.repeat(calendar["month"].to_numpy(dtype=np.int32), k), n),
            "date": np.tile(np.repeat(calendar["date"].astype(str).to_numpy(), k), n),
            "indicator": np.tile(np.asarray(names, dtype=object), n * months),
            "value": values.ravel(),
        }
    )


def _replicate_number(run: RunResult, position: int) -> int:
    """The replicate number a run's metadata records, else its position among the replicates."""
    number = run.metadata.get("replicate")
    return number if isinstance(number, int) and not isinstance(number, bool) else position


def _compact(table: pd.DataFrame, scenarios: Sequence[str], names: Sequence[str]) -> pd.DataFrame:
    """The per-replicate table with categories for its repeated text (a tenth of the memory)."""
    if table.empty:
        return table
    return table.assign(
        scenario=pd.Categorical(table["scenario"], categories=list(scenarios)),
        date=table["date"].astype("category"),
        indicator=pd.Categorical(table["indicator"], categories=list(names)),
    )


def zone_final(run: RunResult) -> pd.DataFrame:
    """Each zone's indicators averaged over the run's last 12 months, indexed by (code, zone)."""
    zones = run.zones
    last = zones["month"] > zones["month"].max() - FINAL_MONTHS
    columns = [c for c in ZONE_NAMES if c in zones.columns]
    return zones[last].groupby(["code", "zone"], sort=True)[columns].mean()


def _zone_rows(
    scenario: str, base_tables: Sequence[pd.DataFrame], other_runs: Sequence[RunResult]
) -> pd.DataFrame:
    """Final-year zone differences with intervals, one row per (zone, indicator); `base_tables`:
    the baseline runs' `zone_final` tables."""
    index, columns = base_tables[0].index, base_tables[0].columns
    base = np.stack([t.reindex(index=index, columns=columns).to_numpy(float) for t in base_tables])
    other = np.stack(
        [zone_final(r).reindex(index=index, columns=columns).to_numpy(float) for r in other_runs]
    )
    diff, low, high = paired_interval(paired_differences(other, base))
    k = len(columns)
    return pd.DataFrame(
        {
            "scenario": scenario,
            "code": np.repeat(index.get_level_values("code").to_numpy(), k),
            "zone": np.repeat(index.get_level_values("zone").to_numpy(), k),
            "indicator": np.tile(np.asarray(columns, dtype=object), len(index)),
            "base_final": base.mean(axis=0).ravel(),
            "other_final": other.mean(axis=0).ravel(),
            "diff_final": diff.ravel(),
            "diff_low": low.ravel(),
            "diff_high": high.ravel(),
            "significant": excludes_zero(low, high).ravel(),
        }
    )


# --- provenance ---------------------------------------------------------------------------


def _derived_metadata(runs: dict[str, list[RunResult]], base: str, scenarios: list[str]) -> dict[str, Any]:
    """What the runs themselves say about the comparison: horizon, seed, scale, versions, spending."""
    first = runs[base][0]
    dates = first.metro["date"].astype(str)
    final = dates.iloc[-min(FINAL_MONTHS, len(dates)) :]
    meta = first.metadata
    return {
        "base": base,
        "scenarios": list(scenarios),
        "replicates": len(runs[base]),
        "confidence": CONFIDENCE,
        "first_date": dates.iloc[0],
        "last_date": dates.iloc[-1],
        "final_period": [final.iloc[0], final.iloc[-1]],
        "months": len(dates),
        "seed_entropy": meta.get("seed_entropy"),
        "scale": meta.get("scale"),
        "residents": meta.get("residents"),
        "people_per_resident": meta.get("people_per_resident"),
        "ampsim_version": meta.get("ampsim_version"),
        "git_commit": meta.get("git_commit"),
        "runs": {name: _run_provenance(rs) for name, rs in runs.items()},
        "spending_eur": {name: _mean_spending(runs[name]) for name in [base, *scenarios]},
        "parameter_changes": {
            name: _changed_parameters(
                meta.get("parameters", {}), runs[name][0].metadata.get("parameters", {})
            )
            for name in scenarios
        },
        "outcome_definitions": {o.name: o.definition for o in COST_OUTCOMES},
    }


def _run_provenance(runs: Sequence[RunResult]) -> dict[str, Any]:
    """The replicates, seed and interventions recorded by one scenario's runs."""
    meta = runs[0].metadata
    return {
        "replicates": [r.metadata.get("replicate") for r in runs],
        "seed_entropy": meta.get("seed_entropy"),
        "interventions": meta.get("interventions", []),
    }


def _mean_spending(runs: Sequence[RunResult]) -> dict[str, float]:
    """Mean over replicates of each programme's spending over the horizon."""
    totals = pd.DataFrame([spending(r.metro) for r in runs]).fillna(0.0)
    return {name: float(value) for name, value in totals.mean().items()}


def _changed_parameters(base: dict, other: dict, prefix: str = "") -> dict[str, list[Any]]:
    """Parameters whose values differ between two nested dicts, as {path: [base, other]}."""
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(base) | set(other), key=str):
        a, b = base.get(key), other.get(key)
        path = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            changes.update(_changed_parameters(a, b, path + "."))
        elif a != b:
            changes[path] = [a, b]
    return changes


# --- files ------------------------------------------------------------------------------


def _attribute(name: str) -> str:
    """The `Comparison` attribute holding the table written as <name>.parquet."""
    return ATTRIBUTES.get(name, name)


def write_tables(comparison: Comparison, directory: str | os.PathLike) -> None:
    """Write the tables (Parquet) and comparison.json into an existing folder."""
    directory = Path(directory)
    for name in TABLE_NAMES:
        getattr(comparison, _attribute(name)).to_parquet(directory / f"{name}.parquet", index=False)
    (directory / "comparison.json").write_text(_comparison_json(comparison), encoding="utf-8")


def read_comparison(directory: str | os.PathLike) -> Comparison:
    """Load a comparison written by `write_comparison` (one written before the per-replicate or
    the participants' table existed loads with that table empty)."""
    directory = Path(directory)
    head = json.loads((directory / "comparison.json").read_text(encoding="utf-8"))
    tables = {}
    for name in TABLE_NAMES:
        path = directory / f"{name}.parquet"
        optional = name in OPTIONAL_TABLES and not path.exists()
        tables[_attribute(name)] = pd.DataFrame() if optional else pd.read_parquet(path)
    return Comparison(
        base=head["base"],
        scenarios=head["scenarios"],
        replicates=head["replicates"],
        metadata=head["metadata"],
        **tables,
    )


def _comparison_json(comparison: Comparison) -> str:
    """comparison.json: the scenario names, the replicates and the metadata."""
    head = {
        "base": comparison.base,
        "scenarios": comparison.scenarios,
        "replicates": comparison.replicates,
        "metadata": comparison.metadata,
    }
    return json.dumps(head, indent=2, default=json_default, ensure_ascii=False) + "\n"
