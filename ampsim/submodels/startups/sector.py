"""The startup sector as a submodel: founding, survival, growth, funding, graduation (see the
package)."""

from __future__ import annotations

import math

import numpy as np
from mesa.agent import AgentSet

from ampsim.core.rng import draws, draws_table, uniform, uniforms
from ampsim.core.submodel import Submodel
from ampsim.submodels.startups.agents import ExtraFounding, OpenPositions, Startup
from ampsim.submodels.startups.parameters import SECTORS, STAGES, StartupParameters
from ampsim.submodels.startups.staff import (
    CLOSE,
    GRADUATE,
    LAY_OFF,
    count_staff,
    employ_founder,
    founder_weights,
    pick_founders,
    release_staff,
)
from ampsim.world.residents import INCUMBENT, Status
from ampsim.world.view import ModelView


class StartupSector(Submodel):
    """All startups, their founding and their monthly dynamics."""

    def __init__(self, params: StartupParameters):
        super().__init__(params)
        self.next_number = 1
        self.registry: list[dict] = []  # one row per startup ever founded (for survival analysis)
        self.registry_start = 0  # rows before it belong to the spin-up
        self.founded_this_month = self.closed_this_month = 0
        self.funding_this_month = 0.0
        self.extra_foundings: list[ExtraFounding] = []  # added by policies (a science park)
        self.sector_cdf = np.cumsum(np.array(params.sector_shares) / np.sum(params.sector_shares))

    def setup(self, model: ModelView, incubator_presence: np.ndarray) -> None:
        """The startups alive at the start; `incubator_presence`: incubation capacity near each zone."""
        self.agents = AgentSet([], random=model.random)
        self.n_zones = model.territory.n_zones
        self.initialise(model, incubator_presence)

    # --- founding -----------------------------------------------------------------------
    def _new_startup(
        self, model: ModelView, zone: int, month: int, key: np.uint64, sectors: tuple[str, ...] | None = None
    ) -> Startup:
        number = self.next_number
        self.next_number += 1
        u_sector, u1, u2 = draws(key, number, 0, 3)
        if sectors:  # a policy's founding in given sectors: equally likely among them
            sector = sectors[min(int(u_sector * len(sectors)), len(sectors) - 1)]
        else:
            sector_index = min(
                int(np.searchsorted(self.sector_cdf, u_sector, side="right")), len(SECTORS) - 1
            )
            sector = SECTORS[sector_index]
        quality = float(np.sqrt(-2 * np.log(max(u1, 1e-300))) * np.cos(2 * np.pi * u2))
        startup = Startup(model, number, zone, sector, month, quality)
        self.agents.add(startup)
        self.registry.append(
            {
                "number": number,
                "zone": zone,
                "sector": sector,
                "founded_month": month,
                "end_month": None,
                "end": None,
            }
        )
        return startup

    def founding_weights(self, model: ModelView, incubator_presence: np.ndarray) -> np.ndarray:
        """Relative founding rate of each zone: graduates of working age, more near incubators."""
        education_weight = np.array(self.params.founder_education_weight)
        weights = founder_weights(model.residents.kernel_view(), education_weight, model.territory.n_zones)
        return weights * (1 + self.params.incubator_founding_boost * incubator_presence)

    def found(self, model: ModelView, month: int, incubator_presence: np.ndarray) -> int:
        """This month's foundings: a Poisson number per zone, each with a founder from the zone,
        plus the extra foundings that policies add in given zones and sectors."""
        weights = self.founding_weights(model, incubator_presence)
        if weights.sum() <= 0:
            return 0
        rate = self.params.founding_rate * model.scale * weights / weights.sum()
        counts = _poisson_by_inverse_cdf(
            rate, uniforms(model.keys("startups.founding"), np.arange(rate.size), 0)
        )
        sectors: list[tuple[str, ...] | None] = [None] * int(counts.sum())
        for k, extra in enumerate(self.extra_foundings):
            u = uniform(model.keys(f"startups.founding.extra.{k}"), extra.zone, 0)
            extra_count = int(_poisson_by_inverse_cdf(np.array([extra.rate * model.scale]), np.array([u]))[0])
            position = int(counts[: extra.zone + 1].sum())
            sectors[position:position] = [extra.sectors] * extra_count
            counts[extra.zone] += extra_count
        if counts.sum() == 0:
            return 0
        starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        founders = pick_founders(
            model.keys("startups.founders"),
            model.residents.kernel_view(),
            np.array(self.params.founder_education_weight),
            starts,
        )
        created = 0
        attribute_key = model.keys("startups.attributes")
        for zone in np.flatnonzero(counts):
            for slot in range(starts[zone], starts[zone + 1]):
                founder = founders[slot]
                if founder < 0:
                    continue
                startup = self._new_startup(model, int(zone), month, attribute_key, sectors[slot])
                employ_founder(model, founder, startup.number, int(zone))
                startup.employees = 1
                created += 1
        return created

    # --- monthly dynamics ---------------------------------------------------------------
    def step(self, model: ModelView, incubator_presence: np.ndarray) -> np.ndarray:
        """Graduations, closures, growth and funding, then foundings; returns the jobs of the
        startups that became established firms this month, by zone (simulated units)."""
        month = model.month
        self.funding_this_month = 0.0
        self.recount_employees(model)
        key = model.keys("startups")
        action = np.zeros(self.next_number, dtype=np.int8)
        quota = np.zeros(self.next_number, dtype=np.int32)
        closed = 0
        startups = list(self.agents)
        numbers = np.array([startup.number for startup in startups], dtype=np.int64)
        for startup, u in zip(startups, draws_table(key, numbers, 4).tolist(), strict=True):
            age = startup.age_months(month)
            if age >= self.params.graduation_age_months:
                action[startup.number] = GRADUATE
                self._end(startup, month, "graduated")
                continue
            if u[0] < self.hazard(startup, age, model):
                action[startup.number] = CLOSE
                self._end(startup, month, "closed")
                closed += 1
                continue
            self._grow(startup, age, u[1], u[2], u[3], model)
            excess = startup.employees - round(startup.desired_size)
            if excess > 0:
                action[startup.number] = LAY_OFF
                quota[startup.number] = excess
        n_zones = model.territory.n_zones
        graduates_by_zone = np.zeros(n_zones, dtype=np.int64)
        if action.any():
            r = model.residents.kernel_view()
            graduates_by_zone = release_staff(r, model.income_factor, action, quota, n_zones)
        self.closed_this_month = closed
        self.founded_this_month = self.found(model, month, incubator_presence)
        self.recount_employees(model)
        return graduates_by_zone

    def hazard(self, startup: Startup, age: int, model: ModelView) -> float:
        p = self.params
        base = (
            p.hazard_years_1_3 if age < 36 else (p.hazard_years_4_5 if age < 60 else p.hazard_after_5_years)
        )
        if startup.stage >= 1:
            base *= p.funded_hazard_multiplier
        if startup.incubator is not None:
            base *= startup.incubator.params.support_hazard_multiplier
        return base * startup.hazard_multiplier

    def _grow(
        self, startup: Startup, age: int, u_shock: float, u_sign: float, u_fund: float, model: ModelView
    ) -> None:
        p = self.params
        drift = (
            p.growth_drift_young if age < 36 else p.growth_drift_later
        ) + p.quality_growth * startup.quality
        if startup.incubator is not None:
            drift += startup.incubator.params.support_growth_bonus
        drift += startup.growth_bonus
        volatility = p.growth_volatility * max(startup.desired_size, 1.0) ** -0.2 / math.sqrt(12)
        laplace = -math.log(max(1 - u_shock, 1e-300)) / math.sqrt(2) * (1 if u_sign < 0.5 else -1)
        startup.desired_size = max(1.0, startup.desired_size * math.exp(drift / 12 + volatility * laplace))
        if startup.stage < len(STAGES) - 1:
            p24 = p.stage_probability_24_months[startup.stage]
            monthly = 1 - (1 - p24) ** (1 / 24)
            multiplier = math.exp(p.quality_funding * startup.quality) * startup.funding_multiplier
            if startup.incubator is not None:
                multiplier *= startup.incubator.params.support_funding_multiplier
            if u_fund < min(1.0, monthly * multiplier):
                amount = p.round_size_eur[startup.stage]
                startup.stage += 1
                startup.funding_eur += amount
                startup.desired_size += amount / (p.cost_per_employee_eur * p.runway_years)
                self.funding_this_month += amount

    def _end(self, startup: Startup, month: int, how: str) -> None:
        row = self.registry[startup.number - 1]
        row["end_month"], row["end"] = month, how
        row["ever_incubated"] = startup.ever_incubated
        row["max_stage"] = startup.stage
        if startup.incubator is not None:
            startup.incubator.residents.discard(startup)
        startup.remove()

    def recount_employees(self, model: ModelView) -> None:
        """Staff of each startup, counted from the residents (derived, never stored twice)."""
        counts = count_staff(model.residents.kernel_view(), self.next_number)
        for startup in self.agents:
            startup.employees = int(counts[startup.number])

    def open_positions(self) -> OpenPositions:
        startups = sorted(self.agents, key=lambda s: (s.zone, s.number))
        n_zones = self.n_zones
        zone = np.array([s.zone for s in startups], dtype=np.int64)
        return OpenPositions(
            ids=np.array([s.number for s in startups], dtype=np.int32),
            zone=zone,
            open=np.array([s.open_positions for s in startups], dtype=np.int64),
            zone_start=np.searchsorted(zone, np.arange(n_zones + 1)).astype(np.int64),
        )

    # --- initial state ------------------------------------------------------------------
    def initialise(self, model: ModelView, incubator_presence: np.ndarray) -> None:
        """The startups alive at the start: ages from the stationary age profile, histories
        simulated forward from founding, staff taken from employed residents of their zone."""
        p = self.params
        rng = model.seed_generator("startups.initial")
        expected = p.initial_count * model.scale
        n = int(expected) + int(rng.random() < expected - int(expected))  # stochastic rounding
        if n == 0:
            return
        ages = np.arange(p.graduation_age_months)
        hazard = np.where(
            ages < 36, p.hazard_years_1_3, np.where(ages < 60, p.hazard_years_4_5, p.hazard_after_5_years)
        )
        survival = np.exp(-np.cumsum(hazard))
        age = rng.choice(ages, size=n, p=survival / survival.sum())
        weights = self.founding_weights(model, incubator_presence)
        zones = rng.choice(weights.size, size=n, p=weights / weights.sum())
        key = model.keys("startups.attributes")
        history_key = model.keys("startups.history")
        for a, z in zip(age, zones, strict=True):
            startup = self._new_startup(model, int(z), model.month - int(a), key)
            history = draws(history_key, startup.number, 0, 3 * int(a)).reshape(-1, 3).tolist()
            for m, u in enumerate(history):  # replay its growth and funding since founding
                self._grow(startup, m, u[0], u[1], u[2], model)
        self._staff_initial_startups(model, rng)

    def _staff_initial_startups(self, model: ModelView, rng: np.random.Generator) -> None:
        """Move employed residents of each startup's zone from incumbent jobs to the startup."""
        r = model.residents
        incumbents = np.flatnonzero((r.employer == INCUMBENT) & (r.status == Status.EMPLOYED))
        incumbents = incumbents[np.argsort(r.work_zone[incumbents], kind="stable")]
        bounds = np.searchsorted(r.work_zone[incumbents], np.arange(model.territory.n_zones + 1))
        taken = np.zeros(incumbents.size, dtype=bool)
        for startup in sorted(self.agents, key=lambda s: s.number):
            first, last = bounds[startup.zone], bounds[startup.zone + 1]
            free = first + np.flatnonzero(~taken[first:last])
            if free.size == 0:
                continue
            wanted = min(max(1, round(startup.desired_size)), free.size)
            chosen = rng.choice(free, size=wanted, replace=False)
            taken[chosen] = True
            r.employer[incumbents[chosen]] = startup.number
        self.recount_employees(model)

    # --- reporting ----------------------------------------------------------------------
    def by_zone(self, n_zones: int) -> tuple[np.ndarray, np.ndarray]:
        """Startups alive and their staff in each zone (simulated units)."""
        alive = np.zeros(n_zones)
        staff = np.zeros(n_zones)
        for startup in self.agents:
            alive[startup.zone] += 1
            staff[startup.zone] += startup.employees
        return alive, staff

    def summary(self, model: ModelView) -> dict[str, float]:
        weight = model.residents.weight
        employees = sum(s.employees for s in self.agents)
        return {
            "startups_alive": len(self.agents) * weight,
            "startup_jobs": employees * weight,
            "startups_incubated": sum(1 for s in self.agents if s.incubator is not None) * weight,
        }


def _poisson_by_inverse_cdf(rates: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Poisson counts from given uniforms (so that the draws are counter-based)."""
    counts = np.zeros(rates.size, dtype=np.int64)
    for z, (lam, v) in enumerate(zip(rates, u, strict=True)):
        k, p = 0, np.exp(-lam)
        cumulative = p
        while v > cumulative and k < 1000:
            k += 1
            p *= lam / k
            cumulative += p
        counts[z] = k
    return counts
