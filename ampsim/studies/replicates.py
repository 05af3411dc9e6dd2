"""Running scenarios: replicates paired by common random numbers, in parallel processes.

Replicate r of every scenario in a study uses the same root seed and replicate number, hence the
same random streams for the same purposes: the differences between scenarios are paired, and a
policy moves only what its mechanism moves. Runs are independent, so they can go to worker
processes in any order; each result depends only on (scenario, replicate), never on the worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass
from typing import Any

from ampsim.core.errors import InputError
from ampsim.model import MAX_REPLICATES, RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.runner import RunResult, run_scenario, settings_for
from ampsim.studies.workers import worker_pool


@dataclass(frozen=True)
class StudySettings:
    """What all scenarios of a study share, so that their replicates can be paired: the run
    settings of replicate 0 and the number of replicates."""

    run: RunSettings
    replicates: int

    def replicate(self, index: int) -> RunSettings:
        """The run settings of replicate `index`."""
        return RunSettings.model_validate({**self.run.model_dump(), "replicate": index})


def study_settings(base: Scenario, replicates: int | None = None, **overrides: Any) -> StudySettings:
    """The base scenario's settings, with the command line's overrides (None keeps the base's)."""
    count = base.replicates if replicates is None else replicates
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_REPLICATES:
        raise InputError(f"replicates: expected a whole number from 1 to {MAX_REPLICATES}, got {count!r}")
    return StudySettings(settings_for(base, **overrides), count)


def run_replicate(scenario: Scenario, settings: StudySettings, replicate: int) -> RunResult:
    """One replicate of one scenario, with the study's shared settings."""
    return run_scenario(scenario, settings.replicate(replicate))


def run_study(
    scenarios: Sequence[Scenario],
    settings: StudySettings,
    workers: int = 1,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, list[RunResult]]:
    """All replicates of all scenarios; results ordered by replicate for each scenario."""
    tasks = [(s, r) for r in range(settings.replicates) for s in range(len(scenarios))]
    results: dict[str, list[RunResult | None]] = {s.name: [None] * settings.replicates for s in scenarios}
    if workers <= 1:
        for s, r in tasks:
            results[scenarios[s].name][r] = run_replicate(scenarios[s], settings, r)
            if progress:
                progress(scenarios[s].name, r)
    else:
        with worker_pool(workers) as pool:  # workers die with this process, even on SIGKILL
            futures = {pool.submit(run_replicate, scenarios[s], settings, r): (s, r) for s, r in tasks}
            for future in as_completed(futures):
                s, r = futures[future]
                results[scenarios[s].name][r] = future.result()
                if progress:
                    progress(scenarios[s].name, r)
    return {name: list(runs) for name, runs in results.items()}  # type: ignore[arg-type]
