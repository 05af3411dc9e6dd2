"""The startup sector as a submodel: founding, survival, growth, funding, staff and graduation, one
agent per real startup (see the package)."""

from __future__ import annotations

import math

import numpy as np
from mesa.agent import AgentSet

from ampsim.core.rng import draws, draws_table, identity_key, uniform, uniforms
from ampsim.core.submodel import Submodel
from ampsim.submodels.startups.agents import ExtraFounding, OpenPositions, PositionMarks, Startup
from ampsim.submodels.startups.investors import InvestorPool
from ampsim.submodels.startups.parameters import SECTORS, STAGES, StartupParameters
from ampsim.submodels.startups.staff import (
    CLOSE,
    GRADUATE,
    LAY_OFF,
    count_staff,
    employ_founder,
    founder_weights,
    hire_initial_staff,
    pick_founders,
    release_staff,
)
from ampsim.world.view import ModelView

BASE, INITIAL = 0, -1  # namespaces of startup identities: foundings of the model, the initial stock


class StartupSector(Submodel):
    """All startups, their founding and their monthly dynamics."""

    def __init__(self, params: StartupParameters):
        super().__init__(params)
        self.next_number = 1
        self.registry: list[dict] = []  # one row per startup ever founded (for survival analysis)
        self.registry_start = 0  # rows before it belong to the spin-up
        self.founded_this_month = self.closed_this_month = 0
        self.outside_hires = 0  # this month's hires of outside staff
        self.funding_this_month = 0.0
        self.rounds_waiting = 0  # this month's applicants the investors could not fund
        self.investors = InvestorPool(params.investor_rounds_per_year, params.investor_carry_months)
        self.extra_foundings: list[ExtraFounding] = []  # added by policies (a science park)
        self.sector_cdf = np.cumsum(np.array(params.sector_shares) / np.sum(params.sector_shares))

    def setup(self, model: ModelView, incubator_presence: np.ndarray) -> None:
        """The startups alive at the start; `incubator_presence`: incubation capacity near each zone."""
        self.agents = AgentSet([], random=model.random)
        self.n_zones = model.territory.n_zones
        self.scale = model.scale
        self.identity = model.keys("startups.identity", month=0)
        self.positions = model.keys("startups.positions", month=0)
        self.initialise(model, incubator_presence)

    # --- founding -----------------------------------------------------------------------
    def _new_startup(
        self,
        model: ModelView,
        zone: int,
        month: int,
        rank: int,
        namespace: int,
        sectors: tuple[str, ...] | None,
    ) -> Startup:
        """A startup founded in `zone` in `month`, the `rank`-th of its zone and month in its
        namespace; its identity, and with it all its draws, depend on nothing else."""
        key = identity_key(self.identity, zone, month, rank, namespace)
        u_sector, u1, u2 = draws(model.keys("startups.attributes", month=0), np.int64(key), 0, 3)
        if sectors:  # a policy's founding in given sectors: equally likely among them
            sector = sectors[min(int(u_sector * len(sectors)), len(sectors) - 1)]
        else:
            sector_index = min(
                int(np.searchsorted(self.sector_cdf, u_sector, side="right")), len(SECTORS) - 1
            )
            sector = SECTORS[sector_index]
        quality = float(np.sqrt(-2 * np.log(max(u1, 1e-300))) * np.cos(2 * np.pi * u2))
        marks = PositionMarks(self.positions, key, self.scale)
        startup = Startup(model, self.next_number, key, zone, sector, month, quality, marks)
        self.next_number += 1
        self.agents.add(startup)
        self.registry.append(
            {
                "number": startup.number,
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
        """This month's foundings: a Poisson number of real startups per zone, plus the extra
        foundings that policies add in given zones and sectors. A founder whose position is a
        simulated resident's is a resident of the zone, who then works there."""
        weights = self.founding_weights(model, incubator_presence)
        if weights.sum() <= 0:
            return 0
        rate = self.params.founding_rate * weights / weights.sum()
        counts = _poisson_by_inverse_cdf(
            rate, uniforms(model.keys("startups.founding"), np.arange(rate.size), 0)
        )
        new = [
            self._new_startup(model, int(zone), month, rank, BASE, None)
            for zone in np.flatnonzero(counts)
            for rank in range(counts[zone])
        ]
        for k, extra in enumerate(self.extra_foundings):
            u = uniform(model.keys(f"startups.founding.extra.{k}"), extra.zone, 0)
            extra_count = int(_poisson_by_inverse_cdf(np.array([extra.rate]), np.array([u]))[0])
            new += [
                self._new_startup(model, extra.zone, month, rank, k + 1, extra.sectors)
                for rank in range(extra_count)
            ]
        self._staff_founders(model, new)
        return len(new)

    def _staff_founders(self, model: ModelView, startups: list[Startup]) -> None:
        """Each new startup's founder: a resident of its zone where its first position is a
        simulated resident's (the best-ranked candidates go to the startups in founding order),
        outside staff otherwise or when the zone has no candidate left."""
        simulated = [s for s in startups if s.simulated_positions() > 0]
        for startup in startups:
            if startup.simulated_positions() == 0:
                startup.outside_staff = 1
        if not simulated:
            return
        wanted = np.bincount([s.zone for s in simulated], minlength=self.n_zones)
        starts = np.concatenate([[0], np.cumsum(wanted)]).astype(np.int64)
        founders = pick_founders(
            model.keys("startups.founders"),
            model.residents.kernel_view(),
            np.array(self.params.founder_education_weight),
            starts,
        )
        taken = starts[:-1].copy()
        for startup in simulated:
            founder = founders[taken[startup.zone]]
            taken[startup.zone] += 1
            if founder < 0:
                startup.outside_staff = 1
                continue
            employ_founder(model, int(founder), startup.number, startup.zone)
            startup.simulated_staff = 1

    # --- monthly dynamics ---------------------------------------------------------------
    def step(self, model: ModelView, incubator_presence: np.ndarray) -> np.ndarray:
        """Graduations, closures, growth and funding, then foundings; returns the jobs of the
        startups that became established firms this month, by zone (simulated units: residents
        who worked there, plus outside staff times the scale)."""
        month = model.month
        self.funding_this_month = 0.0
        self.recount_employees(model)
        action = np.zeros(self.next_number, dtype=np.int8)
        quota = np.zeros(self.next_number, dtype=np.int32)
        outside_graduates = np.zeros(self.n_zones)
        closed = 0
        startups = list(self.agents)
        identities = np.array([startup.key for startup in startups], dtype=np.int64)
        surviving: list[Startup] = []
        applicants: list[Startup] = []
        for startup, u in zip(
            startups, draws_table(model.keys("startups"), identities, 4).tolist(), strict=True
        ):
            age = startup.age_months(month)
            if age >= self.params.graduation_age_months:
                action[startup.number] = GRADUATE
                outside_graduates[startup.zone] += startup.outside_staff * self.scale
                self._end(startup, month, "graduated")
                continue
            if u[0] < self.hazard(startup, age, model):
                action[startup.number] = CLOSE
                self._end(startup, month, "closed")
                closed += 1
                continue
            surviving.append(startup)
            if self._grow(startup, age, u[1], u[2], u[3], model):
                applicants.append(startup)
        funded = self.investors.fund(applicants)
        for startup in funded:
            self._raise_round(startup, month)
        self.rounds_waiting = len(applicants) - len(funded)
        for startup in surviving:
            self._trim(startup, action, quota)
        graduates = outside_graduates
        if action.any():
            r = model.residents.kernel_view()
            graduates = graduates + release_staff(r, action, quota, self.n_zones)
        self.closed_this_month = closed
        self.founded_this_month = self.found(model, month, incubator_presence)
        self.recount_employees(model)
        return graduates

    def _trim(self, startup: Startup, action: np.ndarray, quota: np.ndarray) -> None:
        """A startup that wants fewer positions than it has staff lays off the excess."""
        simulated = startup.simulated_positions()
        excess = startup.simulated_staff - simulated
        if excess > 0:
            action[startup.number] = LAY_OFF
            quota[startup.number] = excess
        startup.outside_staff = min(startup.outside_staff, startup.size - simulated)

    def hire_outside(self, model: ModelView, fill_rate: np.ndarray, leaving: float) -> None:
        """The month's turnover and hires of outside staff: each leaves with probability `leaving`
        (the month's separations per employed resident), each open outside position is filled
        with its zone's `fill_rate` (the month's hires per vacancy): the same frictions as the
        simulated residents' positions meet in the labour market."""
        key = model.keys("startups.outside")
        hires = 0
        for startup in self.agents:
            staying = int(
                np.count_nonzero(draws(key, np.int64(startup.key), 0, startup.outside_staff) >= leaving)
            )
            startup.outside_staff = staying
            open_outside = startup.open_outside_positions
            if open_outside:
                u = draws(key, np.int64(startup.key), 1_000_000, open_outside)
                filled = int(np.count_nonzero(u < fill_rate[startup.zone]))
                startup.outside_staff += filled
                hires += filled
        self.outside_hires = hires

    def hazard(self, startup: Startup, age: int, model: ModelView) -> float:
        p = self.params
        base = (
            p.hazard_years_1_3 if age < 36 else (p.hazard_years_4_5 if age < 60 else p.hazard_after_5_years)
        )
        if startup.stage >= 1:
            base *= p.funded_hazard_multiplier
        if startup.incubator is not None:
            base *= startup.incubator.params.support_hazard_multiplier
        elif model.month <= startup.post_programme_until:
            base *= startup.post_programme_hazard_multiplier
        return base * startup.hazard_multiplier * startup.support_hazard_multiplier(model.month)

    def _grow(
        self, startup: Startup, age: int, u_shock: float, u_sign: float, u_fund: float, model: ModelView
    ) -> bool:
        """A month of growth of the desired size; whether the startup seeks its next round this
        month and would get it if investors had the capacity (its draw is below the probability)."""
        p = self.params
        startup.spend_funding(startup.founded_month + age)
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
            multiplier = (
                math.exp(p.quality_funding * startup.quality)
                * startup.funding_multiplier
                * startup.support_funding_multiplier(startup.founded_month + age)
            )
            if startup.incubator is not None:
                multiplier *= startup.incubator.params.support_funding_multiplier
            return u_fund < min(1.0, monthly * multiplier)
        return False

    def _raise_round(self, startup: Startup, month: int) -> None:
        """The startup raises its next round in `month`: a stage up, and positions for the money
        until it is spent."""
        p = self.params
        amount = p.round_size_eur[startup.stage]
        startup.stage += 1
        startup.funding_eur += amount
        startup.fund_positions(*self.positions_paid(amount, month))
        self.funding_this_month += amount

    def positions_paid(self, amount_eur: float, month: int) -> tuple[float, int]:
        """Positions `amount_eur` raised in `month` pays for, and the last month it pays for them."""
        p = self.params
        return amount_eur / (p.cost_per_employee_eur * p.runway_years), month + round(12 * p.runway_years) - 1

    def _end(self, startup: Startup, month: int, how: str) -> None:
        row = self.registry[startup.number - 1]
        row["end_month"], row["end"] = month, how
        row["ever_incubated"] = startup.ever_incubated
        row["max_stage"] = startup.stage
        if startup.incubator is not None:
            startup.incubator.residents.discard(startup)
        # Out of the sector's set at once: the set holds weak references, so a closed startup
        # that something else still references (a profiler sampling this frame, a debugger)
        # would otherwise stay in it, and be stepped, until garbage-collected.
        self.agents.discard(startup)
        startup.remove()

    def recount_employees(self, model: ModelView) -> None:
        """Simulated staff of each startup, counted from the residents (derived, never stored twice)."""
        counts = count_staff(model.residents.kernel_view(), self.next_number)
        for startup in self.agents:
            startup.simulated_staff = int(counts[startup.number])

    def open_positions(self) -> OpenPositions:
        """Open positions for simulated residents, by zone."""
        startups = sorted(self.agents, key=lambda s: (s.zone, s.number))
        zone = np.array([s.zone for s in startups], dtype=np.int64)
        return OpenPositions(
            ids=np.array([s.number for s in startups], dtype=np.int32),
            zone=zone,
            open=np.array([s.open_positions for s in startups], dtype=np.int64),
            zone_start=np.searchsorted(zone, np.arange(self.n_zones + 1)).astype(np.int64),
        )

    # --- initial state ------------------------------------------------------------------
    def initialise(self, model: ModelView, incubator_presence: np.ndarray) -> None:
        """The startups alive at the start: ages from the stationary age profile, histories
        simulated forward from founding, simulated positions filled by employed residents of
        their zone, outside positions filled."""
        p = self.params
        n = p.initial_count
        if n == 0:
            return
        rng = model.seed_generator("startups.initial")
        ages = np.arange(p.graduation_age_months)
        hazard = np.where(
            ages < 36, p.hazard_years_1_3, np.where(ages < 60, p.hazard_years_4_5, p.hazard_after_5_years)
        )
        survival = np.exp(-np.cumsum(hazard))
        age = rng.choice(ages, size=n, p=survival / survival.sum())
        weights = self.founding_weights(model, incubator_presence)
        zones = rng.choice(weights.size, size=n, p=weights / weights.sum())
        history_key = model.keys("startups.history", month=0)
        ranks: dict[tuple[int, int], int] = {}
        for a, z in zip(age, zones, strict=True):
            founded = model.month - int(a)
            rank = ranks.get((int(z), founded), 0)
            ranks[(int(z), founded)] = rank + 1
            startup = self._new_startup(model, int(z), founded, rank, INITIAL, None)
            history = draws(history_key, np.int64(startup.key), 0, 3 * int(a)).reshape(-1, 3).tolist()
            for m, u in enumerate(history):  # replay its growth and funding since founding
                if self._grow(startup, m, u[0], u[1], u[2], model):
                    self._raise_round(startup, founded + m)
        hire_initial_staff(model, sorted(self.agents, key=lambda s: s.number), rng)
        self.recount_employees(model)
        for startup in self.agents:
            startup.outside_staff = startup.size - startup.simulated_positions()

    # --- reporting ----------------------------------------------------------------------
    def by_zone(self, n_zones: int) -> tuple[np.ndarray, np.ndarray]:
        """Startups alive and their staff in each zone (real units)."""
        alive = np.zeros(n_zones)
        staff = np.zeros(n_zones)
        for startup in self.agents:
            alive[startup.zone] += 1
            staff[startup.zone] += startup.employees
        return alive, staff

    def summary(self) -> dict[str, float]:
        """Startups alive, their jobs and those in an incubator (real units)."""
        return {
            "startups_alive": float(len(self.agents)),
            "startup_jobs": float(sum(s.employees for s in self.agents)),
            "startups_incubated": float(sum(1 for s in self.agents if s.incubator is not None)),
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
