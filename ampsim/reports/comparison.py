"""The report of a scenario comparison: charts, a self-contained HTML page and a Markdown summary.

The HTML page embeds its figures as base64 PNG and its style inline, so it opens anywhere without
network access or JavaScript. The Markdown summary holds the same tables and refers to the PNG
files written beside it.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import yaml
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure

from ampsim.reports.charts import draw_sea, frame_map
from ampsim.studies.compare import (
    CHART_INDICATORS,
    COST_OUTCOMES,
    INDICATORS,
    KEY_INDICATORS,
    MAP_INDICATORS,
    ZONE_LABELS,
    Comparison,
    final_label,
    format_interval,
    format_number,
    json_default,
    ordered_rows,
    period_label,
)
from ampsim.world.territory import MAP_TOWNS, Territory, load_territory

VERDICT_COLOURS = {
    "better": "#1a7f37",
    "worse": "#c62828",
    "higher": "#1f5fa8",
    "lower": "#1f5fa8",
    "no clear difference": "#8a8a8a",
    "no interval": "#8a8a8a",
}
MAP_PLACES = MAP_TOWNS[:6]  # fewer names on the small maps of the report
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
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1d;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
p.lead { font-size: 1.05em; background: #f4f7fb; padding: 0.8em 1em; border-left: 4px solid #1f5fa8; }
p.warning { background: #fff4e5; padding: 0.6em 1em; border-left: 4px solid #e08a00; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { padding: 0.3em 0.6em; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
th { background: #f2f2f2; text-align: left; } td.num { text-align: right; white-space: nowrap; }
.v { font-weight: 600; white-space: nowrap; } .basis { color: #666; font-size: 0.85em; }
figure { margin: 1em 0; } figure img { max-width: 100%; } figcaption { color: #555; font-size: 0.9em; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
details summary { cursor: pointer; font-weight: 600; margin: 0.6em 0; }
"""


@dataclass(frozen=True)
class Figure:
    """A rendered chart: PNG bytes, a caption, and the report section it belongs to."""

    name: str
    caption: str
    section: str  # "series" or "maps"
    png: bytes

    @property
    def path(self) -> str:
        """Where the PNG is written, relative to the comparison folder."""
        return f"figures/{self.name}.png"


# --- figures --------------------------------------------------------------------------------


def render_figures(comparison: Comparison, territory: Territory | None = None) -> list[Figure]:
    """Time-series charts of the key indicators and, per scenario, maps of zone differences."""
    figures = [
        _series_figure(comparison, name)
        for name in CHART_INDICATORS
        if name in set(comparison.series["indicator"])
    ]
    indicators = [name for name in MAP_INDICATORS if name in set(comparison.zones.get("indicator", []))]
    if indicators:
        territory = territory or load_territory()
        figures += [
            _map_figure(comparison, scenario, f"map_{i + 1}_{_slug(scenario)}", indicators, territory)
            for i, scenario in enumerate(comparison.scenarios)
        ]
    return figures


def _png(fig: MplFigure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _series_figure(comparison: Comparison, name: str) -> Figure:
    """Baseline and scenario means by month, and each difference with its 95 % band."""
    indicator = INDICATORS[name]
    series = comparison.series[comparison.series["indicator"] == name]
    fig = MplFigure(figsize=(11, 3.6), layout="constrained")
    levels, differences = fig.subplots(1, 2)
    colours = [f"C{i % 10}" for i in range(len(comparison.scenarios))]
    for scenario, colour in zip(comparison.scenarios, colours, strict=True):
        rows = series[series["scenario"] == scenario]
        dates = pd.to_datetime(rows["date"])
        if scenario == comparison.scenarios[0]:
            levels.plot(
                dates, rows["base_mean"], color="black", lw=1.6, label=_baseline_label(comparison.base)
            )
        levels.plot(dates, rows["other_mean"], color=colour, lw=1.3, label=scenario)
        differences.plot(dates, rows["diff_mean"], color=colour, lw=1.3, label=scenario)
        differences.fill_between(dates, rows["diff_low"], rows["diff_high"], color=colour, alpha=0.2, lw=0)
    differences.axhline(0, color="black", lw=0.8)
    _style_axes(levels, f"{indicator.label}: mean of replicates", indicator.final_unit)
    _style_axes(differences, "Difference from the baseline, with 95 % interval", indicator.final_unit)
    caption = (
        f"{indicator.label} by month ({indicator.final_unit}). Left: means over replicates. Right: "
        f"scenario minus baseline, paired by replicate; the shaded band is the 95 % interval."
    )
    return Figure(f"series_{name}", caption, "series", _png(fig))


def _baseline_label(base: str) -> str:
    """The baseline's name in a legend."""
    return base if "baseline" in base.lower() else f"{base} (baseline)"


def _style_axes(ax: Axes, title: str, unit: str) -> None:
    """Title, unit, grid, legend and readable dates."""
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(unit)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def _slug(name: str) -> str:
    """A file-name-safe version of a scenario name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "scenario"


def _map_figure(
    comparison: Comparison, scenario: str, figure_name: str, indicators: Sequence[str], territory: Territory
) -> Figure:
    """One panel per zone indicator: the final-year difference of each zone from the baseline."""
    zones = comparison.zones[comparison.zones["scenario"] == scenario]
    fig = MplFigure(figsize=(5.2 * len(indicators), 4.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(indicators)))
    for ax, name in zip(axes, indicators, strict=True):
        rows = zones[zones["indicator"] == name].set_index("code").reindex(territory.codes)
        label, unit = ZONE_LABELS.get(name, (name, ""))
        draw_zone_differences(
            ax,
            territory,
            rows["diff_final"].to_numpy(float),
            rows["significant"].fillna(False).to_numpy(bool),
            f"{label} ({unit})",
        )
    fig.suptitle(f"{scenario} minus {comparison.base}, {final_label(comparison)}", fontsize=11)
    caption = (
        f"{scenario}: difference of each zone from the baseline in the final year. Red: higher than the "
        "baseline, blue: lower. Discs are sized by population; faded discs are zones whose 95 % interval "
        "includes 0 (small zones are noisy)."
    )
    return Figure(figure_name, caption, "maps", _png(fig))


def draw_zone_differences(
    ax: Axes, territory: Territory, values: np.ndarray, significant: np.ndarray, title: str
) -> None:
    """Zones as discs at their centres, coloured by a difference on a scale symmetric around 0."""
    draw_sea(ax, territory)
    limit = colour_limit(values, significant)
    shown = np.isfinite(values)  # zones without a value are left out
    significant = significant[shown]
    scatter = ax.scatter(
        territory.x_km[shown],
        territory.y_km[shown],
        s=6 + 700 * territory.population[shown] / territory.population.max(),
        c=values[shown],
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        alpha=np.where(significant, 1.0, 0.35),
        edgecolors="black",
        linewidths=np.where(significant, 0.8, 0.3),
        zorder=2,
    )
    ax.figure.colorbar(scatter, ax=ax, shrink=0.8, extend="both")
    frame_map(ax, territory, MAP_PLACES, fontsize=6, offset=3)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)


def colour_limit(values: np.ndarray, significant: np.ndarray) -> float:
    """Half-range of a symmetric colour scale: the largest significant difference, else the 95th
    percentile of all, so that one noisy small zone does not wash out the others."""
    values = np.abs(np.asarray(values, dtype=float))
    chosen = values[np.isfinite(values) & significant]
    if chosen.size == 0:
        finite = values[np.isfinite(values)]
        chosen = np.array([np.percentile(finite, 95)]) if finite.size else np.zeros(1)
    limit = float(chosen.max())
    return limit if limit > 0 else 1.0


# --- shared content -------------------------------------------------------------------------


def report_title(comparison: Comparison) -> str:
    """The report's title: the scenarios and the baseline."""
    return f"{_names(comparison.scenarios)} compared with {comparison.base}"


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
        f"This report compares {_names(comparison.scenarios)} with {_baseline_phrase(comparison.base)} over "
        f"{period_label(comparison)}. Each scenario was simulated {n} time{'s' if n != 1 else ''} "
        "(replicates). Replicate r of every scenario draws the same random numbers as replicate r of the "
        "baseline (common random numbers), so the two runs of a pair differ only by the policy: each "
        "difference is computed within a pair, then averaged over the pairs. The 95 % interval shows the "
        "range of the average difference compatible with the spread between pairs; a difference is called "
        "better or worse only when its interval excludes zero. " + scale_text + "The model is built to "
        "compare scenarios, not to forecast levels: read the differences rather than the levels."
    )


def _baseline_phrase(base: str) -> str:
    """'the baseline' or 'the baseline <name>'."""
    return "the baseline" if base.lower() == "baseline" else f"the baseline {base}"


def _names(names: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


def _difference_cells(row: pd.Series) -> tuple[str, str]:
    """The final-year difference and its interval, as text."""
    difference = format_number(row["diff_final"], signed=True)
    return difference, format_interval(row["diff_final_low"], row["diff_final_high"])


def _total_cell(row: pd.Series) -> str:
    """The whole-horizon difference with its interval, as text."""
    interval = format_interval(row["diff_total_low"], row["diff_total_high"])
    return f"{format_number(row['diff_total'], signed=True)} ({interval})"


def _total_basis(row: pd.Series, period: str) -> str:
    """What the whole-horizon figure is, e.g. 'cumulated 2026-2040, deaths'."""
    return f"{row['total_basis']} {period}, {row['total_unit']}"


def _cost_cells(row: pd.Series) -> list[str]:
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


def _as_yaml(value: Any) -> str:
    """YAML text of any JSON-compatible structure (NumPy values and others made plain first)."""
    plain = json.loads(json.dumps(value, default=json_default))
    return yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, width=100).rstrip()


def _provenance_rows(comparison: Comparison) -> list[tuple[str, str]]:
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


def _scenario_definition(comparison: Comparison, scenario: str) -> Any:
    """The resolved scenario given by the caller, else the interventions the runs recorded."""
    resolved = comparison.metadata.get("resolved") or {}
    if scenario in resolved:
        return resolved[scenario]
    runs = comparison.metadata.get("runs", {}).get(scenario, {})
    return {"interventions": runs.get("interventions", [])}


def _other_metadata(comparison: Comparison) -> dict[str, Any]:
    """The caller's metadata not shown elsewhere in the report."""
    return {k: v for k, v in comparison.metadata.items() if k not in SHOWN_METADATA}


def _methods_paragraphs(comparison: Comparison) -> list[str]:
    """How every figure of the report is defined, in plain language."""
    period = period_label(comparison)
    flows = [i.label for i in INDICATORS.values() if i.kind == "flow"]
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
        "Assessment: 'better' or 'worse' when the interval excludes 0, according to whether lower or "
        "higher values are desirable; 'higher' or 'lower' for indicators without a desirable direction; "
        "'no clear difference' when the interval includes 0.",
        "Costs: extra spending is the scenario's spending minus the baseline's, summed over the months and "
        "programmes (the spent_<programme> columns) and averaged over replicates. The cost per unit is "
        "mean extra spending / mean gain, given only when the extra spending is positive and the gain's 95 % "
        "interval lies above 0 (with a single replicate, without interval); its 95 % interval follows "
        "Fieller's method, which for a fixed spending S is S / (upper gain) to S / (lower gain).",
    ]


# --- HTML ---------------------------------------------------------------------------------


def _e(value: Any) -> str:
    """Text made safe for HTML."""
    return html.escape(str(value))


def _html_table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """A table whose cells are already HTML; `numeric` columns are right-aligned."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _badge(verdict: str) -> str:
    """A coloured marker with its word, so that colour is never the only cue."""
    colour = VERDICT_COLOURS.get(verdict, "#8a8a8a")
    return f'<span class="v" style="color:{colour}">&#9679; {_e(verdict)}</span>'


def _indicator_rows_html(rows: pd.DataFrame, period: str) -> list[list[str]]:
    """Table cells (HTML) of summary rows."""
    out = []
    for _, row in rows.iterrows():
        difference, interval = _difference_cells(row)
        out.append(
            [
                _e(row["label"]),
                _e(row["unit"]),
                _e(format_number(row["base_final"])),
                _e(format_number(row["other_final"])),
                _e(difference),
                _e(interval),
                _badge(row["verdict"]),
                f'{_e(_total_cell(row))}<br><span class="basis">{_e(_total_basis(row, period))}</span>',
            ]
        )
    return out


def _indicator_headers(comparison: Comparison, scenario: str) -> list[str]:
    """Column headings of an indicator table."""
    return [
        "indicator",
        "unit",
        f"{comparison.base}, final year",
        f"{scenario}, final year",
        "difference",
        "95 % interval",
        "assessment",
        f"difference over {period_label(comparison)} (95 % interval)",
    ]


def _figure_html(figure: Figure) -> str:
    """A figure embedded as base64 PNG, with its caption."""
    data = base64.b64encode(figure.png).decode("ascii")
    return (
        f'<figure><img alt="{_e(figure.caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_e(figure.caption)}</figcaption></figure>"
    )


def render_html(comparison: Comparison, figures: Sequence[Figure]) -> str:
    """The self-contained HTML report."""
    title = report_title(comparison)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="lead"><strong>What this shows.</strong> {_e(intro_text(comparison))}</p>',
    ]
    if comparison.replicates < 2:
        parts.append(
            '<p class="warning">Only one replicate per scenario: intervals need at least 2 replicates, so '
            "no difference can be called significant.</p>"
        )
    parts += _headline_html(comparison)
    parts += ["<h2>How the key indicators evolve</h2>"]
    parts += [_figure_html(f) for f in figures if f.section == "series"]
    parts += ["<h2>Where: differences by zone in the final year</h2>"]
    parts += [_figure_html(f) for f in figures if f.section == "maps"] or ["<p>No zone table.</p>"]
    parts += _costs_html(comparison)
    parts += _all_indicators_html(comparison)
    parts += _methods_html(comparison)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _headline_rows(comparison: Comparison, scenario: str) -> pd.DataFrame:
    """The scenario's summary rows of the key indicators, in the report's order."""
    rows = ordered_rows(comparison.summary, scenario)
    return rows[rows["indicator"].isin(KEY_INDICATORS)]


def _description(comparison: Comparison, scenario: str) -> str | None:
    return (comparison.metadata.get("descriptions") or {}).get(scenario)


def _scenario_costs(comparison: Comparison, scenario: str) -> pd.DataFrame:
    """The scenario's cost rows (none when the comparison has no cost table)."""
    if comparison.costs.empty:
        return comparison.costs
    return comparison.costs[comparison.costs["scenario"] == scenario]


def _headline_html(comparison: Comparison) -> list[str]:
    """Per scenario, the key indicators in the final year."""
    period = period_label(comparison)
    parts = [f"<h2>Headline: {_e(final_label(comparison))}</h2>"]
    for scenario in comparison.scenarios:
        rows = _headline_rows(comparison, scenario)
        parts.append(f"<h3>{_e(scenario)} compared with {_e(comparison.base)}</h3>")
        description = _description(comparison, scenario)
        if description:
            parts.append(f"<p>{_e(description)}</p>")
        parts.append(
            _html_table(
                _indicator_headers(comparison, scenario), _indicator_rows_html(rows, period), (2, 3, 4, 5)
            )
        )
    return parts


def _costs_html(comparison: Comparison) -> list[str]:
    """Per scenario, spending and the cost per outcome."""
    parts = [
        "<h2>What it costs per outcome</h2>",
        f"<p>Gains are measured over the whole horizon ({_e(period_label(comparison))}); positive is good. "
        "Extra spending is the scenario's minus the baseline's. Definitions are in the methods section.</p>",
    ]
    for scenario in comparison.scenarios:
        rows = _scenario_costs(comparison, scenario)
        parts.append(f"<h3>{_e(scenario)}</h3>")
        spent = comparison.metadata.get("spending_eur", {}).get(scenario, {})
        if spent:
            listing = ", ".join(f"{_e(name)}: {_e(format_number(value))} €" for name, value in spent.items())
            parts.append(f"<p>Spending over the horizon (mean over replicates): {listing}.</p>")
        if len(rows):
            cells = [[_e(c) for c in _cost_cells(row)] for _, row in rows.iterrows()]
            parts.append(_html_table(COST_HEADERS, cells, (1, 2, 3, 4)))
    return parts


def _all_indicators_html(comparison: Comparison) -> list[str]:
    """Per scenario, every indicator, folded away by default."""
    period = period_label(comparison)
    parts = ["<h2>All indicators</h2>"]
    for scenario in comparison.scenarios:
        rows = comparison.summary[comparison.summary["scenario"] == scenario]
        parts.append(f"<details><summary>{_e(scenario)}: all {len(rows)} indicators</summary>")
        for group, block in rows.groupby("group", sort=False):
            parts.append(f"<h4>{_e(group)}</h4>")
            parts.append(
                _html_table(
                    _indicator_headers(comparison, scenario),
                    _indicator_rows_html(block, period),
                    (2, 3, 4, 5),
                )
            )
        parts.append("</details>")
    return parts


def _methods_html(comparison: Comparison) -> list[str]:
    """Definitions, provenance and each scenario's resolved definition."""
    meta = comparison.metadata
    parts = ["<h2>Methods and provenance</h2>"]
    parts += [f"<p>{_e(p)}</p>" for p in _methods_paragraphs(comparison)]
    definitions = meta.get("outcome_definitions") or {o.name: o.definition for o in COST_OUTCOMES}
    labels = {o.name: o.label for o in COST_OUTCOMES}
    parts.append(
        "<ul>"
        + "".join(
            f"<li><strong>{_e(labels.get(k, k))}</strong>: {_e(v)}</li>" for k, v in definitions.items()
        )
        + "</ul>"
    )
    parts.append(_html_table(["item", "value"], [[_e(k), _e(v)] for k, v in _provenance_rows(comparison)]))
    descriptions = meta.get("descriptions") or {}
    for scenario in [comparison.base, *comparison.scenarios]:
        parts.append(f"<h3>Scenario {_e(scenario)}</h3>")
        if descriptions.get(scenario):
            parts.append(f"<p>{_e(descriptions[scenario])}</p>")
        parts.append(f"<pre>{_e(_as_yaml(_scenario_definition(comparison, scenario)))}</pre>")
        changes = (meta.get("parameter_changes") or {}).get(scenario)
        if changes:
            parts.append(
                f"<p>Parameters that differ from the baseline:</p><pre>{_e(_as_yaml(changes))}</pre>"
            )
    other = _other_metadata(comparison)
    if other:
        parts.append(f"<h3>Other details</h3><pre>{_e(_as_yaml(other))}</pre>")
    return parts


# --- Markdown -------------------------------------------------------------------------------


def _md(value: Any) -> str:
    """Text for a Markdown table cell."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown pipe table."""
    lines = ["| " + " | ".join(_md(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _indicator_rows_md(rows: pd.DataFrame, period: str) -> list[list[str]]:
    """Table cells (text) of summary rows."""
    out = []
    for _, row in rows.iterrows():
        difference, interval = _difference_cells(row)
        out.append(
            [
                row["label"],
                row["unit"],
                format_number(row["base_final"]),
                format_number(row["other_final"]),
                difference,
                interval,
                row["verdict"],
                f"{_total_cell(row)}, {_total_basis(row, period)}",
            ]
        )
    return out


def render_markdown(comparison: Comparison, figures: Sequence[Figure]) -> str:
    """The report's content in Markdown, referring to the PNG files written beside it."""
    period = period_label(comparison)
    lines = [
        f"# {report_title(comparison)}",
        "",
        intro_text(comparison),
        "",
    ]
    if comparison.replicates < 2:
        lines += ["**Only one replicate per scenario: intervals need at least 2 replicates.**", ""]
    lines += [f"## Headline: {final_label(comparison)}", ""]
    for scenario in comparison.scenarios:
        rows = _headline_rows(comparison, scenario)
        lines += [f"### {scenario} compared with {comparison.base}", ""]
        description = _description(comparison, scenario)
        lines += [description, ""] if description else []
        lines += [_md_table(_indicator_headers(comparison, scenario), _indicator_rows_md(rows, period)), ""]
    lines += ["## How the key indicators evolve", ""]
    lines += [f"![{f.caption}]({f.path})\n" for f in figures if f.section == "series"]
    lines += ["## Where: differences by zone in the final year", ""]
    lines += [f"![{f.caption}]({f.path})\n" for f in figures if f.section == "maps"]
    lines += ["## What it costs per outcome", ""]
    for scenario in comparison.scenarios:
        rows = _scenario_costs(comparison, scenario)
        if len(rows):
            cells = [_cost_cells(row) for _, row in rows.iterrows()]
            lines += [f"### {scenario}", "", _md_table(COST_HEADERS, cells), ""]
    lines += ["## All indicators", ""]
    for scenario in comparison.scenarios:
        rows = comparison.summary[comparison.summary["scenario"] == scenario]
        lines += [
            f"### {scenario}",
            "",
            _md_table(_indicator_headers(comparison, scenario), _indicator_rows_md(rows, period)),
            "",
        ]
    lines += _methods_md(comparison)
    return "\n".join(lines).rstrip() + "\n"


def _methods_md(comparison: Comparison) -> list[str]:
    """Definitions, provenance and each scenario's resolved definition."""
    meta = comparison.metadata
    lines = ["## Methods and provenance", ""]
    for paragraph in _methods_paragraphs(comparison):
        lines += [paragraph, ""]
    definitions = meta.get("outcome_definitions") or {o.name: o.definition for o in COST_OUTCOMES}
    labels = {o.name: o.label for o in COST_OUTCOMES}
    lines += [f"- **{labels.get(k, k)}**: {v}" for k, v in definitions.items()] + [""]
    lines += [_md_table(["item", "value"], _provenance_rows(comparison)), ""]
    descriptions = meta.get("descriptions") or {}
    for scenario in [comparison.base, *comparison.scenarios]:
        lines += [f"### Scenario {scenario}", ""]
        if descriptions.get(scenario):
            lines += [descriptions[scenario], ""]
        lines += ["```yaml", _as_yaml(_scenario_definition(comparison, scenario)), "```", ""]
        changes = (meta.get("parameter_changes") or {}).get(scenario)
        if changes:
            lines += [
                "Parameters that differ from the baseline:",
                "",
                "```yaml",
                _as_yaml(changes),
                "```",
                "",
            ]
    other = _other_metadata(comparison)
    if other:
        lines += ["### Other details", "", "```yaml", _as_yaml(other), "```", ""]
    return lines
