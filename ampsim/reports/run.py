"""The folder of one run: its tables and manifest, its charts and the scenario it ran."""

from __future__ import annotations

import os
from pathlib import Path

from ampsim.core.io import staged_directory
from ampsim.reports.charts import write_run_charts
from ampsim.scenarios.provenance import write_provenance
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.runner import RunResult


def write_run(
    result: RunResult, directory: str | os.PathLike, scenario: Scenario | None = None, charts: bool = True
) -> Path:
    """Write the run's tables, manifest, charts and (with a scenario) its provenance; `directory`
    (new, empty or an earlier run's) is replaced only once everything is written."""
    with staged_directory(directory, "run") as staging:
        result.write_into(staging)
        if charts:
            write_run_charts(result, staging)
        if scenario is not None:
            write_provenance(scenario, staging)
    return Path(directory)
