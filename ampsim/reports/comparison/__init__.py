"""The report of a scenario comparison: figures, a self-contained HTML page and a Markdown summary,
written with the comparison's tables into one folder."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ampsim.core.io import staged_directory
from ampsim.reports.comparison.figures import Figure, render_figures
from ampsim.reports.comparison.markdown import render_markdown
from ampsim.reports.comparison.page import render_html
from ampsim.scenarios.provenance import write_provenance
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.compare import Comparison, write_tables

__all__ = ["Figure", "render_figures", "render_html", "render_markdown", "write_comparison"]


def write_comparison(
    comparison: Comparison, directory: str | os.PathLike, scenarios: Sequence[Scenario] = ()
) -> Path:
    """Write the tables (Parquet), comparison.json, the figures, report.html, summary.md and the
    provenance of each scenario as run (scenarios/NAME/).

    Everything is written into a staging folder that replaces `directory` only at the end, so a
    failure leaves neither a half-written folder nor a damaged earlier one; `directory` must be
    new, empty or an earlier comparison's (see `core.io.staged_directory`).
    """
    with staged_directory(directory, "compare") as staging:
        write_tables(comparison, staging)
        figures = render_figures(comparison)
        (staging / "figures").mkdir()
        for figure in figures:
            (staging / figure.path).write_bytes(figure.png)
        (staging / "report.html").write_text(render_html(comparison, figures), encoding="utf-8")
        (staging / "summary.md").write_text(render_markdown(comparison, figures), encoding="utf-8")
        for scenario in scenarios:
            write_provenance(scenario, staging / "scenarios" / scenario.name)
    return Path(directory)
