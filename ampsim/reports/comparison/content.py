"""What the HTML page and the Markdown summary of a comparison both say, as text and cells."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ampsim.core.io import json_default
from ampsim.indicators import KEY_INDICATORS, METRO
from ampsim.reports.text import final_label, format_interval, format_number, ordered_rows, period_label
from ampsim.studies.compare import Comparison

SHOWN_METADATA = {
    "base",
    "scenarios",
    "replicates",
    "confidence",
    "first_date",
    "last_date",
    "final_period",
    "months",
    "seed_entropy",
    "scale",
    "residents",
    "people_per_resident",
    "ampsim_version",
    "git_commit",
    "runs",
    "spending_eur",
    "parameter_changes",
    "outcome_definitions",
    "descriptions",
    "resolved",
}


def report_title(comparison: Comparison) -> str:
    """The report's title: the scenarios and the baseline."""
    return f"{names(comparison.scenarios)} compared with {comparison.base}"


def intro_text(comparison: Comparison) -> str:
    """The plain-language 'what this shows' paragraph."""
    meta = comparison.metadata
    n = comparison.replicates
    scale = meta.get("scale")
    scale_text = (
        f"The simulation ran at scale {scale}: each simulated resident stands for about "
        f"{1 / scale:,.0f} people, and every figure is given for the real population. "
        if isinstance(scale, int | float) and scale > 0
        else "Every figure is given for the real population. "
    )
    return (
        f"This report compares {names(comparison.scenarios)} with {baseline_phrase(comparison.base)} over "
        f"{period_label(comparison)}. Each scenario was simulated {n} time{'s' if n != 1 else ''} "
        "(replicates). Replicate r of every scenario draws the same random numbers as replicate r of the "
        "baseline (common random numbers), so the two runs of a pair differ only by the policy: each "
        "difference is computed within a pair, then averaged over the pairs. The 95 % interval shows the "
        "range of the average difference compatible with the spread between pairs; a difference is called "
        "better or worse only when its interval excludes zero. " + scale_text + "The model is built to "
        "compare scenarios, not to forecast levels: read the differences rather than the levels."
    )


def baseline_phrase(base: str) -> str:
    """'the baseline' or 'the baseline <name>'."""
    return "the baseline" if base.lower() == "baseline" else f"the baseline {base}"


def names(names: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


def difference_cells(row: pd.Series) -> tuple[str, str]:
    """The final-year difference and its interval, as text."""
    difference = format_number(row["diff_final"], signed=True)
    return difference, format_interval(row["diff_final_low"], row["diff_final_high"])


def detectable_cell(row: pd.Series) -> str:
    """The smallest final-year difference these replicates would usually detect, as text ('-' for a
    comparison without it: one replicate, or written before it was computed)."""
    return format_number(row.get("mdd_final", np.nan))


def total_cell(row: pd.Series) -> str:
    """The whole-horizon difference with its interval, as text."""
    interval = format_interval(row["diff_total_low"], row["diff_total_high"])
    return f"{format_number(row['diff_total'], signed=True)} ({interval})"


def total_basis(row: pd.Series, period: str) -> str:
    """What the whole-horizon figure is, e.g. 'cumulated 2026-2040, deaths'."""
    return f"{row['total_basis']} {period}, {row['total_unit']}"


def cost_cells(row: pd.Series) -> list[str]:
    """Outcome, gain (interval), extra spending, cost per unit (interval), note."""
    return [
        row["label"],
        f"{format_number(row['outcome_diff'], signed=True)} "
        f"({format_interval(row['outcome_low'], row['outcome_high'])})",
        format_number(row["extra_spent_eur"]),
        format_number(row["cost_per_unit"]),
        format_interval(row["cost_low"], row["cost_high"], signed=False),
        row["unit"],
        row["note"],
    ]


COST_HEADERS = [
    "outcome",
    "gain over the horizon (95 % interval)",
    "extra spending, €",
    "cost per unit",
    "95 % interval",
    "unit",
    "note",
]


def as_yaml(value: Any) -> str:
    """YAML text of any JSON-compatible structure (NumPy values and others made plain first)."""
    plain = json.loads(json.dumps(value, default=json_default))
    return yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, width=100).rstrip()


def provenance_rows(comparison: Comparison) -> list[tuple[str, str]]:
    """What is needed to reproduce the comparison, as (item, value) pairs."""
    meta = comparison.metadata
    return [
        ("baseline", comparison.base),
        ("scenarios", ", ".join(comparison.scenarios)),
        ("replicates (paired)", str(comparison.replicates)),
        (
            "horizon",
            f"{meta.get('first_date', '?')} to {meta.get('last_date', '?')} "
            f"({meta.get('months', '?')} months)",
        ),
        ("final year", final_label(comparison)),
        ("seed entropy", str(meta.get("seed_entropy"))),
        ("scale", str(meta.get("scale"))),
        ("simulated residents", format_number(meta.get("residents") or np.nan)),
        ("people per simulated resident", format_number(meta.get("people_per_resident") or np.nan)),
        ("ampsim version", str(meta.get("ampsim_version"))),
        ("git commit", str(meta.get("git_commit"))),
    ]


def scenario_definition(comparison: Comparison, scenario: str) -> Any:
    """The resolved scenario given by the caller, else the interventions the runs recorded."""
    resolved = comparison.metadata.get("resolved") or {}
    if scenario in resolved:
        return resolved[scenario]
    runs = comparison.metadata.get("runs", {}).get(scenario, {})
    return {"interventions": runs.get("interventions", [])}


def other_metadata(comparison: Comparison) -> dict[str, Any]:
    """The caller's metadata not shown elsewhere in the report."""
    return {k: v for k, v in comparison.metadata.items() if k not in SHOWN_METADATA}


def methods_paragraphs(comparison: Comparison) -> list[str]:
    """How every figure of the report is defined, in plain language."""
    period = period_label(comparison)
    flows = [i.label for i in METRO.values() if i.kind == "flow"]
    return [
        f"Final year: the mean over the last 12 simulated months "
        f"({' to '.join(comparison.metadata.get('final_period', ['?', '?']))}); for counts per month "
        "(flows) it is a mean per month.",
        f"Whole period: 'cumulated {period}' is the sum over all months, used for flows ("
        + ", ".join(flows)
        + f"); 'average {period}' is the mean over all months, used for rates and stocks (percentages, "
        "concentrations, indices, people or startups at a date).",
        "Intervals: for each replicate r the difference d_r = scenario_r - baseline_r is computed; the "
        "95 % interval is mean(d) ± t(0.975, n-1) × sd(d) / √n. With one replicate there is no interval. "
        "Identical runs give a difference of exactly 0 with a zero-width interval.",
        detectable_paragraph(comparison),
        "Assessment: 'better' or 'worse' when the interval excludes 0, according to whether lower or "
        "higher values are desirable; 'higher' or 'lower' for indicators without a desirable direction; "
        "'no clear difference' when the interval includes 0.",
        "Costs: extra spending is the scenario's spending minus the baseline's, summed over the months and "
        "programmes (the spent_<programme> columns) and averaged over replicates. The cost per unit is "
        "mean extra spending / mean gain, given only when the extra spending is positive and the gain's 95 % "
        "interval lies above 0 (with a single replicate, without interval); its 95 % interval follows "
        "Fieller's method, which for a fixed spending S is S / (upper gain) to S / (lower gain).",
    ]


def detectable_paragraph(comparison: Comparison) -> str:
    """What the smallest detectable difference means, for these replicates at this scale."""
    n = comparison.replicates
    scale = comparison.metadata.get("scale")
    at_scale = f" at scale {scale}" if isinstance(scale, int | float) else ""
    return (
        "Smallest detectable difference: (t(0.975, n-1) + t(0.80, n-1)) × sd(d) / √n, from the same "
        "per-replicate differences d as the interval. It is the smallest true effect that a comparison "
        "like this one would call better or worse 8 times in 10 (95 % confidence, 80 % power): a true "
        f"effect smaller than this would usually go unseen with {n} replicate{'s' if n != 1 else ''}"
        f"{at_scale}, so 'no clear difference' says that an effect, if any, is probably not much larger "
        "than this, not that there is none. "
        "More replicates (it shrinks about as 1/√n) or a larger scale (less sampling noise per pair) "
        "lower it. With one replicate it cannot be computed."
    )


def headline_rows(comparison: Comparison, scenario: str) -> pd.DataFrame:
    """The scenario's summary rows of the key indicators, in the report's order."""
    rows = ordered_rows(comparison.summary, scenario)
    return rows[rows["indicator"].isin(KEY_INDICATORS)]


def scenario_description(comparison: Comparison, scenario: str) -> str | None:
    return (comparison.metadata.get("descriptions") or {}).get(scenario)


def scenario_costs(comparison: Comparison, scenario: str) -> pd.DataFrame:
    """The scenario's cost rows (none when the comparison has no cost table)."""
    if comparison.costs.empty:
        return comparison.costs
    return comparison.costs[comparison.costs["scenario"] == scenario]


def indicator_headers(comparison: Comparison, scenario: str) -> list[str]:
    """Column headings of an indicator table."""
    return [
        "indicator",
        "unit",
        f"{comparison.base}, final year",
        f"{scenario}, final year",
        "difference",
        "95 % interval",
        "smallest detectable difference",
        "assessment",
        f"difference over {period_label(comparison)} (95 % interval)",
    ]


PARTICIPANT_HEADERS = [
    "programme: outcome",
    "horizon",
    "participants",
    "effect (95 % interval)",
    "evaluation (95 % interval)",
    "inside",
]
PARTICIPANTS_TEXT = (
    "Each programme with a virtual experiment, measured on its participants (trainees, funded or "
    "incubated startups, unemployed residents of renewed zones, the traffic stations of a "
    "low-emission zone) against the same people or startups in the paired baseline, over the "
    "evaluation's horizon, beside the published effect (docs/EVALUATION.md). Participants are "
    "simulated ones, summed over the replicates."
)


def participant_rows(comparison: Comparison, scenario: str) -> list[list[str]]:
    """The participants' effects of one scenario as table cells (none without an experiment)."""
    table = comparison.participants
    if table.empty:
        return []
    return [
        [
            f"{row.programme}: {row.outcome}",
            row.horizon,
            f"{int(row.participants):,}",
            f"{_signed(row.model)} {_bracket(row.model_low, row.model_high)}",
            f"{_signed(row.evaluation)} {_bracket(row.evaluation_low, row.evaluation_high)}",
            row.verdict,
        ]
        for row in table[table["scenario"] == scenario].itertuples()
    ]


def _signed(value: float) -> str:
    return "–" if value is None or not np.isfinite(value) else f"{value:+.2f}"


def _bracket(low: float, high: float) -> str:
    return f"[{_signed(low)}, {_signed(high)}]"
