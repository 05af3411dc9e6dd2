"""Participatory budgets: no evaluation measures what the model's channels move (where people
live, rents), so the experiment reports the model's effects on the target zones with an explicit
"no evaluation: assumption" verdict, beside the evidence that exists (turnout, spending)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ampsim.interventions.participatory_budget import ParticipatoryBudget
from ampsim.model import AMPModel, RunSettings
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.evaluation.evidence import Evidence, Measurement
from ampsim.studies.evaluation.experiment import Check, VirtualExperiment
from ampsim.studies.evaluation.paired import PairedRuns, paired_runs
from ampsim.world.residents import Status

MONTHS = 36


def residents_in(model: AMPModel, zones: np.ndarray) -> int:
    """Simulated residents living in `zones`."""
    r = model.residents
    return int(((r.status != Status.ABSENT) & np.isin(r.zone, zones)).sum())


def measure_participation(
    baseline: Scenario, scenario: Scenario, settings: RunSettings
) -> Mapping[str, Measurement]:
    """The target zones' residents and mean rent index after `MONTHS` months, in both runs."""
    found: dict[str, Measurement] = {}

    def observe(pair: PairedRuns) -> None:
        if pair.month != MONTHS:
            return
        models = (pair.scenario, pair.baseline)
        budgets = [i for i in pair.scenario.interventions if isinstance(i, ParticipatoryBudget)]
        zones = np.unique(np.concatenate([b.zones for b in budgets]))
        people = [residents_in(m, zones) for m in models]
        rents = [float(m.housing.rent[zones].mean()) for m in models]
        found["participatory_budget.residents"] = Measurement(people[0], people[1], people[0])
        found["participatory_budget.rent"] = Measurement(rents[0], rents[1], people[0])

    with paired_runs(baseline, scenario, settings) as pair:
        pair.run(observe)
    return found


NO_EVALUATION = Evidence(
    study="no evaluation of a participatory budget's effect on where people live, rents or employment was "
    "found; Johnson, Carlson & Reynolds (2023), Political Behavior: +8.4 points of turnout for "
    "participants in New York (turnout is not simulated); Gonçalves (2014), World Development: Brazilian "
    "budgets shifted spending to sanitation and health",
    estimate=float("nan"),
    low=float("nan"),
    high=float("nan"),
    interval_basis="none: the amenity, transit and outreach effects per euro are assumptions (see "
    "scenarios/participatory_budget.yaml)",
    status="assumption",
)

PARTICIPATORY_BUDGET = VirtualExperiment(
    name="participatory_budget",
    programme="Participatory budget (Belle de Mai, Port-de-Bouc)",
    scenario_file="participatory_budget.yaml",
    programme_type="participatory_budget",
    months=MONTHS,
    checks=(
        Check(
            "participatory_budget.residents",
            "residents of the target zones, ratio",
            f"{MONTHS} months",
            "ratio",
            "ratio",
            NO_EVALUATION,
        ),
        Check(
            "participatory_budget.rent",
            "rent index of the target zones, ratio",
            f"{MONTHS} months",
            "ratio",
            "ratio",
            NO_EVALUATION,
        ),
    ),
    measure=measure_participation,
)
