"""Participants followed in a scenario run and, as the same residents, in its paired baseline.

A resident is a slot of the resident arrays; a slot is reused after a death or a departure, so a
participant stays in the panel only while the slot still holds them in both runs (present, same
sex, and aged exactly the months elapsed since entry). Those who die or leave drop out, as
respondents drop out of an evaluation's survey.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ampsim.model import AMPModel
from ampsim.studies.evaluation.evidence import Measurement
from ampsim.world.residents import Residents, Status

Outcome = Callable[[Residents, np.ndarray], np.ndarray]  # (residents, slots) -> value per slot


def employed(residents: Residents, slots: np.ndarray) -> np.ndarray:
    """1 for each resident in work, 0 otherwise."""
    return (residents.status[slots] == Status.EMPLOYED).astype(float)


@dataclass
class Cohort:
    """Residents who entered a programme in one month, as they were then."""

    month: int
    slots: np.ndarray
    age_months: np.ndarray
    sex: np.ndarray


@dataclass
class ResidentPanel:
    """Cohorts of participants; at each horizon (months after entry), the outcome of those still
    there with the programme and in the baseline."""

    horizons: Sequence[int]
    outcome: Outcome = employed
    cohorts: list[Cohort] = field(default_factory=list)
    sums: dict[int, list[float]] = field(default_factory=dict)  # horizon -> [treated, control, n, squares]

    def enrol(self, model: AMPModel, slots: np.ndarray) -> None:
        """Add the residents who entered this month (slots of the scenario's model)."""
        if slots.size:
            r = model.residents
            self.cohorts.append(
                Cohort(model.month, slots.copy(), r.age_months[slots].copy(), r.sex[slots].copy())
            )

    def observe(self, scenario: AMPModel, baseline: AMPModel) -> None:
        """Record the outcome of every cohort that reaches a horizon this month."""
        for cohort in self.cohorts:
            elapsed = scenario.month - cohort.month
            if elapsed not in self.horizons:
                continue
            same = still_there(scenario.residents, cohort, elapsed) & still_there(
                baseline.residents, cohort, elapsed
            )
            slots = cohort.slots[same]
            treated = self.outcome(scenario.residents, slots)
            control = self.outcome(baseline.residents, slots)
            totals = self.sums.setdefault(elapsed, [0.0, 0.0, 0, 0.0])
            totals[0] += float(treated.sum())
            totals[1] += float(control.sum())
            totals[2] += int(slots.size)
            totals[3] += float(((treated - control) ** 2).sum())

    def measurement(self, horizon: int) -> Measurement:
        treated, control, n, squares = self.sums.get(horizon, [0.0, 0.0, 0, 0.0])
        return Measurement(treated, control, int(n), squares)


def still_there(residents: Residents, cohort: Cohort, elapsed: int) -> np.ndarray:
    """Whether each cohort slot still holds the resident who entered `elapsed` months ago."""
    s = cohort.slots
    return (
        (residents.status[s] != Status.ABSENT)
        & (residents.sex[s] == cohort.sex)
        & (residents.age_months[s].astype(np.int64) == cohort.age_months.astype(np.int64) + elapsed)
    )
