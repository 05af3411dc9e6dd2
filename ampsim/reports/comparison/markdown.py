"""The comparison report in Markdown, referring to the PNG figures written beside it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ampsim.reports.comparison import content
from ampsim.reports.comparison.figures import Figure
from ampsim.reports.text import final_label, format_number, period_label
from ampsim.studies.compare import Comparison
from ampsim.studies.costs import COST_OUTCOMES


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
        difference, interval = content.difference_cells(row)
        out.append(
            [
                row["label"],
                row["unit"],
                format_number(row["base_final"]),
                format_number(row["other_final"]),
                difference,
                interval,
                content.detectable_cell(row),
                row["verdict"],
                f"{content.total_cell(row)}, {content.total_basis(row, period)}",
            ]
        )
    return out


def render_markdown(comparison: Comparison, figures: Sequence[Figure]) -> str:
    """The report's content in Markdown, referring to the PNG files written beside it."""
    period = period_label(comparison)
    lines = [
        f"# {content.report_title(comparison)}",
        "",
        content.intro_text(comparison),
        "",
    ]
    if comparison.replicates < 2:
        lines += ["**Only one replicate per scenario: intervals need at least 2 replicates.**", ""]
    lines += [f"## Headline: {final_label(comparison)}", ""]
    for scenario in comparison.scenarios:
        rows = content.headline_rows(comparison, scenario)
        lines += [f"### {scenario} compared with {comparison.base}", ""]
        description = content.scenario_description(comparison, scenario)
        lines += [description, ""] if description else []
        lines += [
            _md_table(content.indicator_headers(comparison, scenario), _indicator_rows_md(rows, period)),
            "",
        ]
    lines += ["## How the key indicators evolve", ""]
    lines += [f"![{f.caption}]({f.path})\n" for f in figures if f.section == "series"]
    lines += ["## Where: differences by zone in the final year", ""]
    lines += [f"![{f.caption}]({f.path})\n" for f in figures if f.section == "maps"]
    participants = {s: content.participant_rows(comparison, s) for s in comparison.scenarios}
    if any(participants.values()):
        lines += ["## Effects on participants", "", content.PARTICIPANTS_TEXT, ""]
        for scenario, rows in participants.items():
            if rows:
                lines += [f"### {scenario}", "", _md_table(content.PARTICIPANT_HEADERS, rows), ""]
    lines += ["## What it costs per outcome", ""]
    for scenario in comparison.scenarios:
        rows = content.scenario_costs(comparison, scenario)
        if len(rows):
            cells = [content.cost_cells(row) for _, row in rows.iterrows()]
            lines += [f"### {scenario}", "", _md_table(content.COST_HEADERS, cells), ""]
    lines += ["## All indicators", ""]
    for scenario in comparison.scenarios:
        rows = comparison.summary[comparison.summary["scenario"] == scenario]
        lines += [
            f"### {scenario}",
            "",
            _md_table(content.indicator_headers(comparison, scenario), _indicator_rows_md(rows, period)),
            "",
        ]
    lines += _methods_md(comparison)
    return "\n".join(lines).rstrip() + "\n"


def _methods_md(comparison: Comparison) -> list[str]:
    """Definitions, provenance and each scenario's resolved definition."""
    meta = comparison.metadata
    lines = ["## Methods and provenance", ""]
    for paragraph in content.methods_paragraphs(comparison):
        lines += [paragraph, ""]
    definitions = meta.get("outcome_definitions") or {o.name: o.definition for o in COST_OUTCOMES}
    labels = {o.name: o.label for o in COST_OUTCOMES}
    lines += [f"- **{labels.get(k, k)}**: {v}" for k, v in definitions.items()] + [""]
    lines += [_md_table(["item", "value"], content.provenance_rows(comparison)), ""]
    descriptions = meta.get("descriptions") or {}
    for scenario in [comparison.base, *comparison.scenarios]:
        lines += [f"### Scenario {scenario}", ""]
        if descriptions.get(scenario):
            lines += [descriptions[scenario], ""]
        lines += ["```yaml", content.as_yaml(content.scenario_definition(comparison, scenario)), "```", ""]
        changes = (meta.get("parameter_changes") or {}).get(scenario)
        if changes:
            lines += [
                "Parameters that differ from the baseline:",
                "",
                "```yaml",
                content.as_yaml(changes),
                "```",
                "",
            ]
    other = content.other_metadata(comparison)
    if other:
        lines += ["### Other details", "", "```yaml", content.as_yaml(other), "```", ""]
    return lines
