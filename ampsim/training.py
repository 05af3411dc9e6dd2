"""Training for job seekers and young people not in employment, education or training (NEETs).

Job seekers and young inactive people enter vocational training at monthly rates; trainees do
not search (the lock-in effect of training programmes) and either drop out or complete after a
fixed duration. Completion may raise the diploma by one level and leaves a "trained" mark that
raises job-search efficiency until the next job (see the labour market).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from numba import njit

from ampsim.parameters import ASSUMPTION, ParameterGroup, parameter
from ampsim.residents import Education, Status, change_status
from ampsim.rng_kernels import uniform

if TYPE_CHECKING:
    from ampsim.model import AMPModel


class TrainingParameters(ParameterGroup):
    """Baseline training of job seekers and NEETs (policies add seats on top)."""

    entry_rate_unemployed: float = parameter(
        0.015,
        unit="1/month",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="monthly probability that a job seeker starts a training course",
    )
    entry_rate_young_inactive: float = parameter(
        0.005,
        unit="1/month",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="monthly probability that an inactive 16-29 year-old starts a course",
    )
    duration_months: int = parameter(
        4,
        unit="months",
        ge=1,
        le=36,
        source=ASSUMPTION,
        description="length of a training course",
    )
    dropout_rate: float = parameter(
        0.03,
        unit="1/month",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="monthly probability of dropping out of a course",
    )
    diploma_gain_probability: float = parameter(
        0.25,
        unit="1",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="probability that completing a course raises the diploma by one level",
    )


class Training:
    """Enrolment, dropout and completion of baseline training courses."""

    def __init__(self, params: TrainingParameters):
        self.params = params
        self.entries = 0
        self.completions = 0

    def step(self, model: AMPModel) -> None:
        r = model.residents
        p = self.params
        self.entries, self.completions = training_kernel(
            model.keys("training"),
            r.age_months,
            r.education,
            r.status,
            r.months_in_status,
            r.income,
            r.trained,
            model.income_factor,
            p.entry_rate_unemployed,
            p.entry_rate_young_inactive,
            p.duration_months,
            p.dropout_rate,
            p.diploma_gain_probability,
        )


@njit(cache=True)
def training_kernel(
    key,
    age_months,
    education,
    status,
    months_in_status,
    income,
    trained,
    income_factor,
    entry_rate_unemployed,
    entry_rate_young_inactive,
    duration_months,
    dropout_rate,
    diploma_gain_probability,
):  # pragma: no cover - compiled
    """One month of training; returns (entries, completions)."""
    entries = 0
    completions = 0
    for i in range(status.size):
        s = status[i]
        if s == Status.IN_TRAINING:
            if months_in_status[i] >= duration_months:
                completions += 1
                trained[i] = 1
                if education[i] < Education.TERTIARY and uniform(key, i, 1) < diploma_gain_probability:
                    education[i] += 1
                change_status(i, Status.UNEMPLOYED, status, months_in_status, income, income_factor)
            elif uniform(key, i, 2) < dropout_rate:
                change_status(i, Status.UNEMPLOYED, status, months_in_status, income, income_factor)
            continue
        age = age_months[i] // 12
        if s == Status.UNEMPLOYED and age < 60:
            rate = entry_rate_unemployed
        elif s == Status.INACTIVE and 16 <= age <= 29:
            rate = entry_rate_young_inactive
        else:
            continue
        if uniform(key, i, 0) < rate:
            entries += 1
            change_status(i, Status.IN_TRAINING, status, months_in_status, income, income_factor)
    return entries, completions
