"""A seed fund (AMP Amorçage, Marseille Innovation's honour loans): tickets for young startups.

Each month the fund's tickets of the month (the fund spread evenly over the schedule, in whole
tickets: every one of them is paid by the end, to real startups, which are simulated one for one)
go to the best-looking eligible startups — young enough, not yet funded by it, in the fund's
sectors — seen through noisy quality, as the fund's committee would. A ticket adds money (more
positions, ticket / (cost of an employee x runway), for the runway) and, for a limited window
(`effect_months`, 24 by default), makes the startup's *next* round likelier and lengthens its
runway (a lower closure hazard); both effects end with the window, and the funding effect ends as
soon as the next round is raised; the round itself still needs the region's investors' capacity,
so it can take another startup's (`submodels/startups/investors.py`). Public early-stage grants
about double the probability of subsequent venture funding by paying for prototypes, not as a
quality label (Howell 2017, AER 107(4): 1136-1164, SBIR Phase I; Santoleri et al. 2024, REStat,
EU SME Instrument): one round, not a lifetime doubling of every round. Honour loans of
30,000-60,000 € (Marseille Innovation); the Dispositif d'Amorçage de Provence reports 8 % failures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from ampsim.core.rng import uniform
from ampsim.interventions.base import Intervention, InterventionConfig, known_sectors
from ampsim.submodels.startups import NextRoundSupport

if TYPE_CHECKING:
    from ampsim.model import AMPModel


class SeedFundConfig(InterventionConfig):
    """A seed fund giving tickets to young startups."""

    type: Literal["seed_fund"] = "seed_fund"
    budget_is_lever: ClassVar[bool] = True  # tickets: no ticket without money
    ticket_eur: float = Field(
        50_000.0, gt=0, le=10_000_000, description="size of one ticket, € (at most 10 M€, a large seed round)"
    )
    max_startup_age_months: int = Field(24, ge=0, le=120, description="oldest eligible startup")
    max_stage: int = Field(
        0,
        ge=0,
        le=3,
        description="highest funding stage eligible: 0, founders before their seed round (a seed fund's "
        "and an honour loan's target), 1 also seed-funded startups, up to 3",
    )
    sectors: list[str] = Field(
        default_factory=list, max_length=50, description="eligible sectors (empty: all)"
    )
    funding_multiplier: float = Field(
        3.0,
        ge=1,
        le=10,
        description="monthly probability of raising the next round, relative, for a funded startup during "
        "the window (calibrated: about doubles the probability of a next round within 24 months, Howell "
        "2017; x2.2 for an average pre-seed startup, x1.7-1.9 for the funded ones, see "
        "docs/EVALUATION.md)",
    )
    hazard_multiplier: float = Field(
        0.85,
        gt=0,
        le=1,
        description="closure hazard of a funded startup during the window (a longer runway; modelling "
        "assumption)",
    )
    effect_months: int = Field(
        24,
        ge=1,
        le=120,
        description="months from the ticket during which it acts on the next round and the hazard, then "
        "nothing (24: the horizon of the evaluations' next round; modelling assumption)",
    )
    selection_noise: float = Field(
        1.0,
        ge=0,
        le=10,
        description="noise of the committee's view of quality (SD; at most 10, ten times the spread of "
        "quality: a lottery)",
    )

    @field_validator("sectors")
    @classmethod
    def _check_sectors(cls, value: list[str]) -> list[str]:
        return known_sectors(value)

    @model_validator(mode="after")
    def _check_budget(self) -> SeedFundConfig:
        if self.budget_eur is None:
            raise ValueError("a seed fund needs budget_eur, the size of the fund")
        return self

    def build(self) -> SeedFund:
        return SeedFund(self)


class SeedFund(Intervention):
    config: SeedFundConfig

    def setup(self, model: AMPModel) -> None:
        super().setup(model)
        self.tickets = round((self.budget_eur or 0.0) / self.config.ticket_eur)  # the fund's tickets
        self.paid = 0
        self.months_acted = 0
        self.funded: set[int] = set()  # startup identities

    def tickets_due(self) -> int:
        """Tickets owed by now: the fund spread evenly over its months, in whole tickets counted
        exactly (so that all of them are paid by the last month), less those paid."""
        months = max(self.active_months, 1)
        return self.tickets * min(self.months_acted, months) // months - self.paid

    def act(self, model: AMPModel) -> None:
        c = self.config
        self.months_acted += 1
        due = self.tickets_due()
        if due <= 0:
            return
        key = model.keys(f"intervention.{self.name}.selection")
        scored = []
        for startup in model.startups.agents:
            if startup.key in self.funded or startup.age_months(model.month) > c.max_startup_age_months:
                continue
            if startup.stage > c.max_stage:
                continue
            if c.sectors and startup.sector not in c.sectors:
                continue
            u1 = max(uniform(key, startup.key, 0), 1e-300)
            noise = np.sqrt(-2 * np.log(u1)) * np.cos(2 * np.pi * uniform(key, startup.key, 1))
            scored.append((startup.quality + c.selection_noise * noise, startup.key, startup))
        scored.sort(key=lambda item: (-item[0], item[1]))
        for _, identity, startup in scored[:due]:
            self.funded.add(identity)
            startup.funding_eur += c.ticket_eur
            startup.fund_positions(*model.startups.positions_paid(c.ticket_eur, model.month))
            startup.next_round_support.append(
                NextRoundSupport(
                    stage=startup.stage,
                    until_month=model.month + c.effect_months - 1,
                    funding_multiplier=c.funding_multiplier,
                    hazard_multiplier=c.hazard_multiplier,
                )
            )
            self.paid += 1
            self.spend(c.ticket_eur)  # one real ticket to one real startup
