"""The comparison report as one self-contained HTML page (figures as base64 PNG, inline style)."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ampsim.reports.comparison import content
from ampsim.reports.comparison.figures import Figure
from ampsim.reports.text import final_label, format_number, period_label
from ampsim.studies.compare import Comparison
from ampsim.studies.costs import COST_OUTCOMES

VERDICT_COLOURS = {
    "better": "#1a7f37",
    "worse": "#c62828",
    "higher": "#1f5fa8",
    "lower": "#1f5fa8",
    "no clear difference": "#8a8a8a",
    "no interval": "#8a8a8a",
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
        difference, interval = content.difference_cells(row)
        out.append(
            [
                _e(row["label"]),
                _e(row["unit"]),
                _e(format_number(row["base_final"])),
                _e(format_number(row["other_final"])),
                _e(difference),
                _e(interval),
                _e(content.detectable_cell(row)),
                _badge(row["verdict"]),
                f"{_e(content.total_cell(row))}<br>"
                f'<span class="basis">{_e(content.total_basis(row, period))}</span>',
            ]
        )
    return out


def _figure_html(figure: Figure) -> str:
    """A figure embedded as base64 PNG, with its caption."""
    data = base64.b64encode(figure.png).decode("ascii")
    return (
        f'<figure><img alt="{_e(figure.caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_e(figure.caption)}</figcaption></figure>"
    )


def render_html(comparison: Comparison, figures: Sequence[Figure]) -> str:
    """The self-contained HTML report."""
    title = content.report_title(comparison)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="lead"><strong>What this shows.</strong> {_e(content.intro_text(comparison))}</p>',
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
    parts += _participants_html(comparison)
    parts += _costs_html(comparison)
    parts += _all_indicators_html(comparison)
    parts += _methods_html(comparison)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _headline_html(comparison: Comparison) -> list[str]:
    """Per scenario, the key indicators in the final year."""
    period = period_label(comparison)
    parts = [f"<h2>Headline: {_e(final_label(comparison))}</h2>"]
    for scenario in comparison.scenarios:
        rows = content.headline_rows(comparison, scenario)
        parts.append(f"<h3>{_e(scenario)} compared with {_e(comparison.base)}</h3>")
        description = content.scenario_description(comparison, scenario)
        if description:
            parts.append(f"<p>{_e(description)}</p>")
        parts.append(
            _html_table(
                content.indicator_headers(comparison, scenario),
                _indicator_rows_html(rows, period),
                (2, 3, 4, 5, 6),
            )
        )
    return parts


def _participants_html(comparison: Comparison) -> list[str]:
    """Per scenario with an evaluated programme, its effect on participants."""
    tables = {s: content.participant_rows(comparison, s) for s in comparison.scenarios}
    if not any(tables.values()):
        return []
    parts = ["<h2>Effects on participants</h2>", f"<p>{_e(content.PARTICIPANTS_TEXT)}</p>"]
    for scenario, rows in tables.items():
        if rows:
            parts.append(f"<h3>{_e(scenario)}</h3>")
            parts.append(
                _html_table(content.PARTICIPANT_HEADERS, [[_e(c) for c in r] for r in rows], (2, 3, 4))
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
        rows = content.scenario_costs(comparison, scenario)
        parts.append(f"<h3>{_e(scenario)}</h3>")
        spent = comparison.metadata.get("spending_eur", {}).get(scenario, {})
        if spent:
            listing = ", ".join(f"{_e(name)}: {_e(format_number(value))} €" for name, value in spent.items())
            parts.append(f"<p>Spending over the horizon (mean over replicates): {listing}.</p>")
        if len(rows):
            cells = [[_e(c) for c in content.cost_cells(row)] for _, row in rows.iterrows()]
            parts.append(_html_table(content.COST_HEADERS, cells, (1, 2, 3, 4)))
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
                    content.indicator_headers(comparison, scenario),
                    _indicator_rows_html(block, period),
                    (2, 3, 4, 5, 6),
                )
            )
        parts.append("</details>")
    return parts


def _methods_html(comparison: Comparison) -> list[str]:
    """Definitions, provenance and each scenario's resolved definition."""
    meta = comparison.metadata
    parts = ["<h2>Methods and provenance</h2>"]
    parts += [f"<p>{_e(p)}</p>" for p in content.methods_paragraphs(comparison)]
    definitions = meta.get("outcome_definitions") or {o.name: o.definition for o in COST_OUTCOMES}
    labels = {o.name: o.label for o in COST_OUTCOMES}
    parts.append(
        "<ul>"
        + "".join(
            f"<li><strong>{_e(labels.get(k, k))}</strong>: {_e(v)}</li>" for k, v in definitions.items()
        )
        + "</ul>"
    )
    parts.append(
        _html_table(["item", "value"], [[_e(k), _e(v)] for k, v in content.provenance_rows(comparison)])
    )
    descriptions = meta.get("descriptions") or {}
    for scenario in [comparison.base, *comparison.scenarios]:
        parts.append(f"<h3>Scenario {_e(scenario)}</h3>")
        if descriptions.get(scenario):
            parts.append(f"<p>{_e(descriptions[scenario])}</p>")
        parts.append(f"<pre>{_e(content.as_yaml(content.scenario_definition(comparison, scenario)))}</pre>")
        changes = (meta.get("parameter_changes") or {}).get(scenario)
        if changes:
            parts.append(
                f"<p>Parameters that differ from the baseline:</p><pre>{_e(content.as_yaml(changes))}</pre>"
            )
    other = content.other_metadata(comparison)
    if other:
        parts.append(f"<h3>Other details</h3><pre>{_e(content.as_yaml(other))}</pre>")
    return parts
