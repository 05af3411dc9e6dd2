"""Effects on participants for a comparison: each scenario's programmes that have a virtual
experiment (trainees, funded or incubated startups, residents of renewed zones, the traffic
stations of a low-emission zone), measured against the same people or startups in the paired
base scenario, with the number of participants and the evaluation beside them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from ampsim.model import RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.evaluation.catalogue import EXPERIMENTS
from ampsim.studies.evaluation.evaluate import Pairing, measure_pairings, results_table


def pairings_for(base: Scenario, scenarios: Sequence[Scenario]) -> list[Pairing]:
    """One pairing per scenario and per experiment whose programme type the scenario has (and the
    base does not have identically: a programme in both has no effect to measure)."""
    pairings = []
    for scenario in scenarios:
        types = {config.type for config in scenario.interventions if config not in base.interventions}
        pairings += [
            Pairing(e, base, scenario, scenario.name) for e in EXPERIMENTS if e.programme_type in types
        ]
    return pairings


def participant_effects(
    base: Scenario,
    scenarios: Sequence[Scenario],
    settings: RunSettings,
    replicates: int,
    workers: int = 1,
    progress: Callable[[str, int], None] | None = None,
) -> pd.DataFrame:
    """The participants' effects, one row per scenario and check (empty when no scenario has a
    programme with an experiment): the experiments' horizons, the comparison's scale and seed."""
    pairings = pairings_for(base, scenarios)
    if not pairings:
        return pd.DataFrame()
    results = measure_pairings(pairings, settings, replicates, workers, progress)
    labels = [p.label for p in pairings for _ in p.experiment.checks]
    table = results_table(results)
    table.insert(0, "scenario", labels)
    return table
