"""Running scenarios: replicates paired by common random numbers, in parallel processes.

Replicate r of every scenario in a study uses the same root seed and replicate number, hence the
same random streams for the same purposes: the differences between scenarios are paired, and a
policy moves only what its mechanism moves. Runs are independent, so they can go to worker
processes in any order; each result depends only on (scenario, replicate), never on the worker.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from ampsim.core.chunks import single_thread_worker
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.runner import RunResult, run_model


@dataclass(frozen=True)
class StudySettings:
    """What all scenarios of a study share, so that their replicates can be paired."""

    seed: int
    replicates: int
    scale: float
    months: int
    start: str


def study_settings(
    base: Scenario, replicates: int | None = None, scale: float | None = None, months: int | None = None
) -> StudySettings:
    """The base scenario's settings, with the command line's overrides."""
    kwargs = base.model_kwargs()
    return StudySettings(
        seed=base.seed,
        replicates=replicates or base.replicates,
        scale=scale or kwargs["scale"],
        months=months or kwargs["months"],
        start=kwargs["start"],
    )


def run_scenario(scenario: Scenario, settings: StudySettings, replicate: int) -> RunResult:
    """One replicate of one scenario, with the study's shared settings."""
    result = run_model(
        scenario.model_parameters(),
        scale=settings.scale,
        seed=settings.seed,
        replicate=replicate,
        months=settings.months,
        start=settings.start,
        interventions=scenario.build_interventions(),
    )
    result.metadata["scenario"] = scenario.name
    return result


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
            results[scenarios[s].name][r] = run_scenario(scenarios[s], settings, r)
            if progress:
                progress(scenarios[s].name, r)
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=single_thread_worker
        ) as pool:
            futures = {pool.submit(run_scenario, scenarios[s], settings, r): (s, r) for s, r in tasks}
            for future in as_completed(futures):
                s, r = futures[future]
                results[scenarios[s].name][r] = future.result()
                if progress:
                    progress(scenarios[s].name, r)
    return {name: list(runs) for name, runs in results.items()}  # type: ignore[arg-type]
