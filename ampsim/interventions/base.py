"""What every intervention shares: a schedule, target zones, a budget, and spending accounts.

An intervention is declared in a scenario file as a mapping with a `type`; its configuration
class (a pydantic model, unknown keys forbidden) validates it, and `build()` returns the runtime
object the model calls every month. A runtime intervention acts only on the model's state
(capacities, jobs, amenities, emission factors, seats, sensors...), never on an outcome, and
records what it spends.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ampsim.core.errors import InputError
from ampsim.submodels.startups import SECTORS
from ampsim.world.territory import Territory, load_territory

if TYPE_CHECKING:
    from ampsim.model import AMPModel

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_index(text: str, start_year: int, start_month: int) -> int:
    """Model month (1 = the first simulated month) of a 'YYYY-MM' date."""
    year, month = (int(part) for part in text.split("-"))
    return (year - start_year) * 12 + (month - start_month) + 1


MAX_BUDGET_EUR = 1e11  # 100 bn€: about 30 years of the metropolis's whole budget (3.5 bn€ a year)


class InterventionConfig(BaseModel):
    """Fields common to all interventions. Every number is finite and bounded: the bounds are far
    beyond any programme of the metropolis, and keep a typo from exhausting memory or time."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    type: str
    name: str | None = Field(None, max_length=80, description="label in reports (default: the type)")
    start: str = Field("2026-01", description="first month the intervention acts, YYYY-MM")
    end: str | None = Field(None, description="last month it acts, YYYY-MM (default: to the horizon)")
    zones: list[str | int] = Field(
        default_factory=list,
        max_length=200,
        description="target zones by INSEE code or name; Marseille means its 16 arrondissements",
    )
    budget_eur: float | None = Field(
        None,
        ge=0,
        le=MAX_BUDGET_EUR,
        description="total budget over the schedule, € (at most 1e11: 30 years of the metropolis's budget)",
    )

    default_zones: ClassVar[tuple[int, ...]] = ()  # used when `zones` is empty; () = all zones
    # whether the effect depends on the budget (seats, tickets or works it pays for); when it does
    # not, the budget is only accounting and reports give no cost per outcome (review gap G15)
    budget_is_lever: ClassVar[bool] = False

    @field_validator("start", "end")
    @classmethod
    def _check_month(cls, value: str | None) -> str | None:
        if value is None:
            return value
        match = _MONTH.match(str(value))
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"expected a month as YYYY-MM, got {value!r}")
        return str(value)

    @field_validator("zones")
    @classmethod
    def _check_zones(cls, value: list[str | int]) -> list[str | int]:
        territory = load_territory()
        for query in value:
            try:
                territory.select(query)
            except InputError as error:
                raise ValueError(str(error)) from None
        return value

    @model_validator(mode="after")
    def _check_schedule(self) -> InterventionConfig:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def label(self) -> str:
        return self.name or self.type

    def zone_indices(self, territory: Territory | None = None) -> np.ndarray:
        """Indices of the target zones in `territory` (the model's; the project's zones when
        None), the type's default zones, or all, when none are given."""
        territory = territory or load_territory()
        queries = self.zones or list(self.default_zones)
        if not queries:
            return np.arange(territory.n_zones)
        return np.unique(np.concatenate([territory.select(q) for q in queries]))

    def build(self) -> Intervention:
        raise NotImplementedError


class Intervention:
    """Runtime side of an intervention: `setup` once, `apply` every simulated month."""

    def __init__(self, config: InterventionConfig):
        self.config = config
        self.name = config.label
        self.budget_eur = config.budget_eur
        self.spent_this_month = 0.0
        self.spent_total = 0.0
        self.first_month = 1
        self.last_month = 10**9
        self.zones = np.empty(0, dtype=np.int64)  # resolved against the model's territory in `setup`

    def setup(self, model: AMPModel) -> None:
        """Resolve the schedule against the model's calendar. The schedule may run beyond the
        simulated horizon: deliveries and spending keep their planned pace. The target zones are
        the model's."""
        self.zones = self.config.zone_indices(model.territory)
        self.first_month = month_index(self.config.start, model.start_year, model.start_month)
        if self.config.end is not None:
            self.last_month = month_index(self.config.end, model.start_year, model.start_month)
        else:
            self.last_month = model.months

    @property
    def active_months(self) -> int:
        """Months in the schedule (from the first simulated month at the earliest)."""
        return max(self.last_month - max(self.first_month, 1) + 1, 0)

    def is_active(self, month: int) -> bool:
        return self.first_month <= month <= self.last_month

    def progress(self, month: int) -> float:
        """Share of the schedule completed at the end of `month` (0 before, 1 after)."""
        if month < self.first_month:
            return 0.0
        span = max(self.last_month - self.first_month + 1, 1)
        return min((month - self.first_month + 1) / span, 1.0)

    def apply(self, model: AMPModel) -> None:
        """Called at the start of every simulated month. An intervention given a budget of zero
        is not funded and does nothing; without a budget it acts without accounts."""
        self.spent_this_month = 0.0
        if self.is_active(model.month) and self.budget_eur != 0:
            self.act(model)
        elif model.month == self.last_month + 1:
            self.finish(model)

    def act(self, model: AMPModel) -> None:
        """The mechanism: change the model's state for this month."""
        raise NotImplementedError

    def finish(self, model: AMPModel) -> None:
        """The month after the schedule: undo what must not outlast it (nothing by default)."""

    def spend(self, amount_eur: float) -> None:
        """Record spending, never beyond the budget when there is one."""
        if self.budget_eur is not None:
            amount_eur = min(amount_eur, self.budget_eur - self.spent_total)
        amount_eur = max(amount_eur, 0.0)
        self.spent_this_month += amount_eur
        self.spent_total += amount_eur

    def spend_evenly(self) -> None:
        """Spend the budget in equal monthly parts over the schedule."""
        if self.budget_eur:
            self.spend(self.budget_eur / max(self.active_months, 1))

    def describe(self) -> dict[str, Any]:
        return {"type": self.config.type, **self.config.model_dump(mode="json", exclude_none=True)}


def known_sectors(sectors: list[str]) -> list[str]:
    """The sectors, unchanged, if every one is a startup sector of the model; ValueError otherwise."""
    for sector in sectors:
        if sector not in SECTORS:
            raise ValueError(f"unknown sector {sector!r}; expected one of: {', '.join(SECTORS)}")
    return sectors
