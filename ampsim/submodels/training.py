"""Training for job seekers and young people not in employment, education or training (NEETs).

Job seekers and young inactive people enter vocational training at monthly rates; trainees do
not search (the lock-in effect of training programmes) and either drop out or complete after a
fixed duration. Completion may raise the diploma by one level and leaves a mark that raises
job-search efficiency until the next job (see the labour market).

Policies add programmes with their own seats, target zones and ages, duration, completion and
effect on search. A resident's `trained` mark tells which: 0 none (or a baseline course under
way), 1 a completed baseline course, 2 + k programme k (under way, then completed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from ampsim.core.parameters import ASSUMPTION, ParameterGroup, parameter
from ampsim.core.rng import uniform
from ampsim.core.submodel import Submodel
from ampsim.world.residents import Education, Status, change_status
from ampsim.world.view import ModelView

BASELINE_COMPLETED = 1
FIRST_PROGRAMME = 2


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


@dataclass(frozen=True)
class Programme:
    """A training programme added by a policy."""

    name: str
    duration_months: int
    dropout_rate: float  # per month
    diploma_gain_probability: float
    search_boost: float  # job-search efficiency after completion, until the next job
    boost_end_rate: float = 0.0  # monthly probability that the boost ends before a job (0: never)


class Training(Submodel):
    """Enrolment, dropout and completion of baseline courses and policy programmes.

    `baseline_search_boost` is the job-search multiplier of a completed baseline course (a
    parameter of the labour market)."""

    def __init__(self, params: TrainingParameters, baseline_search_boost: float):
        super().__init__(params)
        self.baseline_search_boost = baseline_search_boost
        self.programmes: list[Programme] = []
        self.entries = 0  # the month's entries: baseline courses and programmes
        self.programme_entries = 0  # programmes' entries since the last step
        self.completions = 0
        self._tables = self._build_tables()

    def add_programme(self, programme: Programme) -> int:
        """Register a programme; returns its mark (2 + its index)."""
        self.programmes.append(programme)
        self._tables = self._build_tables()
        return FIRST_PROGRAMME + len(self.programmes) - 1

    def _build_tables(self) -> tuple[np.ndarray, ...]:
        """Duration, dropout, diploma gain and search boost, indexed by mark."""
        p = self.params
        duration = [p.duration_months, p.duration_months]
        dropout = [p.dropout_rate, p.dropout_rate]
        gain = [p.diploma_gain_probability, p.diploma_gain_probability]
        boost = [1.0, self.baseline_search_boost]
        boost_end = [0.0, 0.0]
        for programme in self.programmes:
            duration.append(programme.duration_months)
            dropout.append(programme.dropout_rate)
            gain.append(programme.diploma_gain_probability)
            boost.append(programme.search_boost)
            boost_end.append(programme.boost_end_rate)
        return (
            np.array(duration, dtype=np.int64),
            np.array(dropout),
            np.array(gain),
            np.array(boost),
            np.array(boost_end),
        )

    @property
    def search_boost(self) -> np.ndarray:
        """Job-search multiplier by mark (used by the labour market)."""
        return self._tables[3]

    def step(self, model: ModelView) -> None:
        p = self.params
        duration, dropout, gain, _, boost_end = self._tables
        courses = CourseTables(
            p.entry_rate_unemployed, p.entry_rate_young_inactive, duration, dropout, gain, boost_end
        )
        baseline_entries, self.completions = training_kernel(
            model.keys("training"), model.residents.kernel_view(), courses
        )
        self.entries = baseline_entries + self.programme_entries  # programmes enrol earlier in the month
        self.programme_entries = 0

    def enrol(
        self, model: ModelView, mark: int, seats_by_zone: np.ndarray, age_min: int, age_max: int, stream: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Fill a programme's seats with NEETs of the target zones; returns the seats filled by
        zone and the slots of the residents enrolled (whom virtual experiments follow)."""
        r = model.residents
        seats = seats_by_zone.astype(np.int64).copy()
        filled = np.zeros_like(seats)
        enrolled = np.empty(int(seats.sum()), dtype=np.int64)
        key = model.keys(stream)
        offset = int(uniform(key, 0, 99) * r.n)
        intake = Intake(mark, age_min, age_max)
        count = enrol_kernel(key, offset, r.kernel_view(), intake, seats, filled, enrolled)
        self.programme_entries += int(filled.sum())
        return filled, enrolled[:count]


class CourseTables(NamedTuple):
    """Entry rates, and the courses by training mark (read-only; see `training_kernel`)."""

    entry_rate_unemployed: float  # monthly
    entry_rate_young_inactive: float  # monthly, inactive 16-29 year-olds
    duration: np.ndarray  # months, by mark
    dropout: np.ndarray  # monthly probability, by mark
    gain: np.ndarray  # probability of a diploma level on completion, by mark
    boost_end: np.ndarray  # monthly probability that a completed course's boost ends, by mark


class Intake(NamedTuple):
    """Who a programme enrols (see `enrol_kernel`)."""

    mark: int  # the programme's training mark
    age_min: int  # years
    age_max: int


@njit(cache=True, parallel=True)
def training_kernel(key, r, courses):  # pragma: no cover - compiled
    """One month of baseline entries, and of dropouts and completions of every course, for the
    residents `r` (ResidentArrays), in parallel: each one's transition depends on their own state
    and draws only."""
    # unpacked before prange (see ResidentArrays)
    age_months = r.age_months
    education = r.education
    status = r.status
    months_in_status = r.months_in_status
    trained = r.trained
    entry_rate_unemployed = courses.entry_rate_unemployed
    entry_rate_young_inactive = courses.entry_rate_young_inactive
    duration = courses.duration
    dropout = courses.dropout
    gain = courses.gain
    boost_end = courses.boost_end
    entries = 0
    completions = 0
    for i in prange(status.size):
        s = status[i]
        if s == Status.IN_TRAINING:
            mark = trained[i]
            if months_in_status[i] >= duration[mark]:
                completions += 1
                if mark == 0:
                    trained[i] = BASELINE_COMPLETED
                if education[i] < Education.TERTIARY and uniform(key, i, 1) < gain[mark]:
                    education[i] += 1
                change_status(i, Status.UNEMPLOYED, status, months_in_status)
            elif uniform(key, i, 2) < dropout[mark]:
                trained[i] = 0
                change_status(i, Status.UNEMPLOYED, status, months_in_status)
            continue
        mark = trained[i]
        if mark > 0 and boost_end[mark] > 0.0 and uniform(key, i, 3) < boost_end[mark]:
            trained[i] = 0  # the programme's effect on search ends (its support is over)
        age = age_months[i] // 12
        if s == Status.UNEMPLOYED and age < 60:
            rate = entry_rate_unemployed
        elif s == Status.INACTIVE and 16 <= age <= 29:
            rate = entry_rate_young_inactive
        else:
            continue
        if uniform(key, i, 0) < rate:
            entries += 1
            trained[i] = 0
            change_status(i, Status.IN_TRAINING, status, months_in_status)
    return entries, completions


@njit(cache=True)
def enrol_kernel(key, offset, r, intake, seats, filled, enrolled):  # pragma: no cover - compiled
    """Enrol NEETs (`r`, ResidentArrays) of the Intake's ages in zones with free seats, visiting
    residents from a random offset; their slots go to `enrolled`, and their number is returned."""
    zone = r.zone  # unpacked once (see ResidentArrays)
    age_months = r.age_months
    status = r.status
    months_in_status = r.months_in_status
    trained = r.trained
    mark = intake.mark
    age_min = intake.age_min
    age_max = intake.age_max
    n = zone.size
    remaining = seats.sum()
    count = 0
    for step in range(n):
        if remaining <= 0:
            break
        i = (offset + step) % n
        z = zone[i]
        if seats[z] <= 0:
            continue
        s = status[i]
        if s != Status.UNEMPLOYED and s != Status.INACTIVE:
            continue
        age = age_months[i] // 12
        if age < age_min or age > age_max:
            continue
        seats[z] -= 1
        filled[z] += 1
        remaining -= 1
        enrolled[count] = i
        count += 1
        trained[i] = mark
        change_status(i, Status.IN_TRAINING, status, months_in_status)
    return count
