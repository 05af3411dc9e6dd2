"""Training for young NEETs in third places and coding schools (L'Épopée, La Plateforme).

A programme with its seats per year in the target zones: every month the seats of the month are
filled by NEETs (unemployed or inactive, not in education) of the target ages living there. While
in training they do not search; they complete with probability `completion_rate` over the
course (the rest drop out), may gain a diploma level, and then search more efficiently until
their next job or the end of the support (`search_boost`, `boost_months`: the placement effect
ends). The defaults follow the design of the Garantie jeunes, calibrated with the virtual
experiment of `ampsim evaluate` to its evaluation (+7.1 points of employment at 16 months, DARES
2018). Spending: `cost_per_seat_eur` per trainee who starts, within the budget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from ampsim.interventions.base import Intervention, InterventionConfig
from ampsim.submodels.training import Programme

if TYPE_CHECKING:
    from ampsim.model import AMPModel


class YouthTrainingConfig(InterventionConfig):
    """A training programme for young people not in employment, education or training."""

    type: Literal["youth_training"] = "youth_training"
    seats_per_year: int = Field(
        1_000,
        ge=0,
        le=50_000,
        description="trainees who start each year (at most 50,000, a seventh of the metropolis's 15-29 "
        "year-olds)",
    )
    age_min: int = Field(16, ge=15, le=64, description="youngest trainee, years")
    age_max: int = Field(29, ge=15, le=64, description="oldest trainee, years")
    duration_months: int = Field(
        4, ge=1, le=48, description="length of the course, months (the model's baseline courses; assumption)"
    )
    completion_rate: float = Field(0.7, ge=0, le=1, description="share of trainees who complete")
    diploma_gain_probability: float = Field(
        0.1,
        ge=0,
        le=1,
        description="chance that completion raises the diploma by a level (assumption: short courses "
        "mostly certify skills, not a level; range 0-0.3)",
    )
    search_boost: float = Field(
        1.0,
        ge=1,
        le=5,
        description="job-search efficiency after completion, until a job or the end of the support: "
        "1.0: with the course's activation of inactive NEETs, `ampsim evaluate` then finds the "
        "Garantie jeunes effect at 16 months (DARES 2018); 1.1 overshoots it (range 1.0-1.1)",
    )
    boost_months: float | None = Field(
        12,
        gt=0,
        le=600,
        description="mean months the search boost lasts after completion without a job (it ends at "
        "a monthly rate of 1/boost_months; 12: the Garantie jeunes' year of support); none: until "
        "the next job",
    )
    cost_per_seat_eur: float = Field(8_000.0, ge=0, le=200_000, description="cost of one trainee, €")

    default_zones: ClassVar[tuple[int, ...]] = (13202, 13203, 13213, 13214, 13215, 13216)
    budget_is_lever: ClassVar[bool] = True  # seats: no seat without money

    @model_validator(mode="after")
    def _check_ages(self) -> YouthTrainingConfig:
        if self.age_max < self.age_min:
            raise ValueError(f"age_max {self.age_max} is below age_min {self.age_min}")
        return self

    def build(self) -> YouthTraining:
        return YouthTraining(self)


class YouthTraining(Intervention):
    config: YouthTrainingConfig

    def setup(self, model: AMPModel) -> None:
        super().setup(model)
        c = self.config
        # monthly dropout giving the completion rate over the course
        dropout = 1 - c.completion_rate ** (1 / c.duration_months)
        boost_end_rate = 0.0 if c.boost_months is None else min(1.0 / c.boost_months, 1.0)
        self.mark = model.training.add_programme(
            Programme(
                self.name,
                c.duration_months,
                dropout,
                c.diploma_gain_probability,
                c.search_boost,
                boost_end_rate,
            )
        )
        population = model.territory.population[self.zones].astype(float)
        self.share = population / population.sum()
        self.seats_owed = np.zeros(self.zones.size)
        self.trainees = 0
        self.entrants = np.empty(0, dtype=np.int64)  # slots of the month's trainees (virtual experiments)

    def apply(self, model: AMPModel) -> None:
        self.entrants = np.empty(0, dtype=np.int64)
        super().apply(model)

    def act(self, model: AMPModel) -> None:
        c = self.config
        self.seats_owed += c.seats_per_year / 12 * model.scale * self.share
        seats = np.floor(self.seats_owed)
        if self.budget_eur is not None and c.cost_per_seat_eur > 0:  # no seat without money
            affordable = (self.budget_eur - self.spent_total) / (c.cost_per_seat_eur * model.residents.weight)
            if seats.sum() > affordable:
                seats = np.floor(seats * max(affordable, 0) / seats.sum())
        by_zone = np.zeros(model.territory.n_zones)
        by_zone[self.zones] = seats
        filled, self.entrants = model.training.enrol(
            model, self.mark, by_zone, c.age_min, c.age_max, f"intervention.{self.name}.enrolment"
        )
        filled = filled[self.zones]
        # seats not filled (no eligible NEET) carry over, at most a year's worth
        self.seats_owed = np.minimum(self.seats_owed - filled, c.seats_per_year * model.scale * self.share)
        self.trainees += int(filled.sum())
        self.spend(filled.sum() * model.residents.weight * c.cost_per_seat_eur)
