"""Text for people: numbers and intervals formatted for reading, and terminal tables of a run, of a
comparison and of the calibration targets over replicates."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ampsim.indicators import KEY_INDICATORS, METRO, RUN_SUMMARY

if TYPE_CHECKING:
    from ampsim.studies.compare import Comparison

RUN_SUMMARY_DIGITS = {"median_income": 0, "startups_alive": 0, "startup_jobs": 0}


def summary_table(metro: pd.DataFrame) -> pd.DataFrame:
    """Key metro indicators in the first month and every December, rounded for reading."""
    rows = metro[(metro["month"] == metro["month"].min()) | metro["date"].str.endswith("-12")]
    if rows.iloc[-1]["month"] != metro.iloc[-1]["month"]:
        rows = pd.concat([rows, metro.iloc[[-1]]])
    labels = {"date": "month", **{name: METRO[name].short_label for name in RUN_SUMMARY}}
    table = rows[list(labels)].rename(columns=labels)
    return table.round({METRO[name].short_label: RUN_SUMMARY_DIGITS.get(name, 1) for name in RUN_SUMMARY})


def format_number(value: float, signed: bool = False, digits: int = 3) -> str:
    """A number for reading: about `digits` significant digits, thousands separators, '-' if missing."""
    if value is None or not np.isfinite(value):
        return "-"
    if value == 0:
        return "0"
    rounded = float(f"{value:.{digits}g}")  # so that 99.9996 reads 100, not 100.0
    decimals = max(digits - 1 - math.floor(math.log10(abs(rounded))), 0)
    return f"{value:{'+' if signed else ''},.{decimals}f}"


def format_interval(low: float, high: float, signed: bool = True) -> str:
    """A 95 % interval as 'low to high' ('n/a' when it could not be computed)."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "n/a"
    return f"{format_number(low, signed)} to {format_number(high, signed)}"


def period_label(comparison: Comparison) -> str:
    """The simulated horizon, e.g. '2026-2040' (or '2026-01 to 2027-06' when years are incomplete)."""
    first, last = (
        str(comparison.metadata.get("first_date", "")),
        str(comparison.metadata.get("last_date", "")),
    )
    if first.endswith("-01") and last.endswith("-12"):
        return first[:4] if first[:4] == last[:4] else f"{first[:4]}-{last[:4]}"
    return f"{first} to {last}"


def final_label(comparison: Comparison) -> str:
    """The final period, e.g. 'final year (mean of 2040-01 to 2040-12)'."""
    start, end = comparison.metadata.get("final_period", ["?", "?"])
    return f"final year (mean of {start} to {end})"


def ordered_rows(summary: pd.DataFrame, scenario: str, max_rows: int | None = None) -> pd.DataFrame:
    """One scenario's summary rows, key indicators first, then the others in table order."""
    rows = summary[summary["scenario"] == scenario]
    rank = {name: i for i, name in enumerate(KEY_INDICATORS)}
    order = rows["indicator"].map(lambda name: rank.get(name, len(rank)))
    rows = rows.assign(_order=order).sort_values("_order", kind="stable").drop(columns="_order")
    return rows if max_rows is None else rows.head(max_rows)


def summary_text(comparison: Comparison, max_rows: int = 20) -> str:
    """A plain-text table for the terminal: key indicators, baseline final year, difference, 95 % CI.

    Each scenario gets at most `max_rows` rows, key indicators first.
    """
    n = comparison.replicates
    lines = [
        f"Scenario comparison: {', '.join(comparison.scenarios)} against the baseline {comparison.base!r}",
        f"{n} paired replicate{'s' if n != 1 else ''} (common random numbers), scale "
        f"{comparison.metadata.get('scale', '?')}; values for the {final_label(comparison)}, "
        "in real-population units.",
    ]
    if n < 2:
        lines.append("Intervals need at least 2 replicates: none are given.")
    for scenario in comparison.scenarios:
        rows = ordered_rows(comparison.summary, scenario, max_rows)
        table = pd.DataFrame(
            {
                "indicator": rows["label"],
                "unit": rows["unit"],
                "baseline": rows["base_final"].map(format_number),
                "difference": rows["diff_final"].map(lambda v: format_number(v, signed=True)),
                "95 % interval": [
                    format_interval(lo, hi)
                    for lo, hi in zip(rows["diff_final_low"], rows["diff_final_high"], strict=True)
                ],
                "smallest detectable": [
                    format_number(v) for v in rows.get("mdd_final", pd.Series(np.nan, index=rows.index))
                ],
                "": rows["verdict"],
            }
        )
        lines += ["", f"{scenario} - {comparison.base}", _text_table(table)]
        lines += _participants_lines(comparison, scenario)
    return "\n".join(lines) + "\n"


def _participants_lines(comparison: Comparison, scenario: str) -> list[str]:
    """The scenario's effects on participants, if it has a programme with a virtual experiment."""
    table = comparison.participants
    if table.empty or not (table["scenario"] == scenario).any():
        return []
    rows = table[table["scenario"] == scenario]
    shown = pd.DataFrame(
        {
            "participants of": rows["programme"],
            "outcome": rows["outcome"],
            "horizon": rows["horizon"],
            "n": rows["participants"].map(lambda v: f"{int(v):,}"),
            "effect": rows["model"].map(lambda v: format_number(v, signed=True)),
            "95 % interval": [
                format_interval(lo, hi) for lo, hi in zip(rows["model_low"], rows["model_high"], strict=True)
            ],
            "evaluation": rows["evaluation"].map(lambda v: format_number(v, signed=True)),
            "inside": rows["verdict"],
        }
    )
    return ["", f"{scenario}: effects on participants (paired, docs/EVALUATION.md)", _text_table(shown)]


def targets_text(rates: pd.DataFrame, share: float | None = None) -> str:
    """The calibration targets over replicates (`studies.targets.pass_rates`): data, the model's mean
    and range, the pass rate ('4/5', or 'not evaluable'), why a test could not be made, and the count
    of targets met in at least `share` of the replicates."""
    from ampsim.studies.targets import PASS_SHARE, passing

    share = PASS_SHARE if share is None else share
    runs = int(rates["runs"].max()) if len(rates) else 0
    table = pd.DataFrame(
        {
            "target": rates["target"],
            "data": rates["data"],
            "model": [_model_cell(row) for row in rates.itertuples()],
            "met": [_met_cell(row) for row in rates.itertuples()],
        }
    ).rename(columns={"model": "model: mean (range)" if runs > 1 else "model", "met": "met in"})
    lines = [_text_table(table, left={"target", "data"})]
    partial = rates[rates["evaluated"] < rates["runs"]]
    if len(partial):
        lines.append("")
        lines += [f"not evaluable: {row.target}: {row.note or 'no value'}" for row in partial.itertuples()]
    not_evaluable = int((~rates["evaluable"].astype(bool)).sum())
    lines += [
        "",
        f"{int(passing(rates, share).sum())} of {len(rates)} targets pass in at least {100 * share:g} % "
        f"of replicates ({not_evaluable} not evaluable)",
    ]
    return "\n".join(lines) + "\n"


def _model_cell(row: Any) -> str:
    """The model's mean over the runs, with its range when the runs differ ('-' without a value)."""
    if not np.isfinite(row.model_mean):
        return "-"
    if row.model_max - row.model_min <= 1e-9 * max(abs(row.model_mean), 1.0):
        return f"{row.model_mean:,.1f}"
    return f"{row.model_mean:,.1f} ({row.model_min:,.1f} to {row.model_max:,.1f})"


def _met_cell(row: Any) -> str:
    """'3/5', 'not evaluable', or '2/5, 3 not evaluable' when some runs could not test the target."""
    if not row.evaluable:
        return "not evaluable"
    missing = row.runs - row.evaluated
    return f"{row.passed}/{row.runs}" + (f", {missing} not evaluable" if missing else "")


def _text_table(table: pd.DataFrame, left: set[str] | None = None) -> str:
    """Columns padded to their width: `left` columns (text) left-aligned, the others right-aligned."""
    left = {"indicator", "unit", ""} if left is None else left
    widths = {c: max([len(str(c)), *(len(str(v)) for v in table[c])]) for c in table.columns}

    def cell(column: str, value: Any) -> str:
        """A cell padded to its column's width."""
        text = str(value)
        return text.ljust(widths[column]) if column in left else text.rjust(widths[column])

    header = "  ".join(cell(c, c) for c in table.columns)
    body = [
        "  ".join(cell(c, v) for c, v in zip(table.columns, row, strict=True))
        for row in table.itertuples(index=False)
    ]
    return "\n".join(line.rstrip() for line in [header, *body])
