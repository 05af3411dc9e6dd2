"""Startups: founding, survival, growth, funding and hiring, as Mesa agents.

A startup agent stands for 1/scale real startups (as a resident stands for 1/scale people), so
its employees are simulated residents and every count is reported in real units. Each month:

- established startups of 8 years leave the startup population; their jobs become incumbent jobs;
- a startup closes with a monthly hazard that falls with age ("liability of newness"),
  calibrated to 60 % of a founding cohort alive after five years in the region (INSEE), lowered
  while it is funded or incubated; its employees become job seekers;
- its desired size follows a log random walk with Laplace shocks whose volatility falls with
  size (Gibrat-type growth, Fu et al. 2005), pushed up by quality, youth and incubation; funding
  rounds arrive as staged events (pre-seed, seed, series A, series B+) and let it hire;
- its open positions (desired size minus staff) are vacancies of its zone in the labour market,
  where it hires residents; hires who live in a priority zone are counted;
- new startups are founded in each zone at a rate proportional to the zone's graduates of working
  age, more near incubators; the founder is a resident of the zone, who then works there.

Random draws are counter-based, keyed by the startup's number, so a startup's fate does not depend
on unrelated events (common random numbers between scenarios).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np
from mesa.agent import AgentSet
from numba import njit, prange

from ampsim.core.chunks import chunk_bounds, chunks_for
from ampsim.core.parameters import ASSUMPTION, ParameterGroup, parameter
from ampsim.core.rng import draws, draws_table, uniform, uniforms
from ampsim.core.submodel import Submodel
from ampsim.world.residents import INCUMBENT, NO_EMPLOYER, NO_ZONE, Status, change_status
from ampsim.world.view import ModelView

if TYPE_CHECKING:
    from ampsim.submodels.incubators import Incubator

SECTORS = ("digital", "biotech_health", "cleantech_energy", "agritech", "water", "green_chemistry")
STAGES = ("pre-seed", "seed", "series A", "series B+")

_ACTION_NONE, _ACTION_CLOSE, _ACTION_GRADUATE, _ACTION_LAYOFF = 0, 1, 2, 3


class StartupParameters(ParameterGroup):
    """Founding, survival, growth and funding of startups."""

    initial_count: int = parameter(
        800,
        unit="startups",
        ge=0,
        source="about 800 start-ups in the Aix-Marseille tech ecosystem (Invest in Provence, 2019)",
        description="startups alive at the start",
    )
    founding_rate: float = parameter(
        12.0,
        unit="startups per month",
        ge=0,
        source="calibrated so that the number alive stays near 800 with the survival profile and "
        "graduation age below",
        description="foundings per month in the metropolis",
    )
    sector_shares: tuple[float, float, float, float, float, float] = parameter(
        (0.45, 0.20, 0.20, 0.05, 0.05, 0.05),
        unit="share",
        source=ASSUMPTION,
        description="share of foundings in digital, biotech-health, cleantech-energy, agritech, "
        "water, green chemistry",
    )
    hazard_years_1_3: float = parameter(
        0.0105,
        unit="1/month",
        ge=0,
        le=1,
        source="derived: 60 % of the 2014 PACA cohort alive at 5 years (INSEE Analyses PACA 135) "
        "with the age profile of the 2010 French cohort, 71 % at 3 years (INSEE Première 1543); "
        "set so that survival is about 60 % once funding and incubation lower the hazard",
        description="closure hazard in the first three years",
    )
    hazard_years_4_5: float = parameter(
        0.0065,
        unit="1/month",
        ge=0,
        le=1,
        source="derived, as above",
        description="closure hazard in years four and five",
    )
    hazard_after_5_years: float = parameter(
        0.0050,
        unit="1/month",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="closure hazard after five years",
    )
    funded_hazard_multiplier: float = parameter(
        0.8,
        unit="multiplier",
        gt=0,
        le=2,
        source="initial financial means raise survival (INSEE Première 1852); modelling assumption",
        description="closure hazard of a startup that has raised a seed round or more",
    )
    graduation_age_months: int = parameter(
        96,
        unit="months",
        ge=12,
        source=ASSUMPTION,
        description="age at which a surviving startup counts as an established firm",
    )
    stage_probability_24_months: tuple[float, float, float] = parameter(
        (0.30, 0.15, 0.25),
        unit="probability within 24 months",
        source="Carta 2018 cohort (56 % raised a seed round, B/A 40 %), seed to A 15-30 % "
        "(Chronograph); lowered for a regional French ecosystem; modelling assumption",
        description="probability of raising the next round within 24 months: seed, series A, series B+",
    )
    round_size_eur: tuple[float, float, float] = parameter(
        (0.5e6, 2.5e6, 10e6),
        unit="€",
        source="seed about 0.5 M€, series A 2-3 M€ for young French start-ups (startup-book.com); "
        "series B+ modelling assumption",
        description="amount raised in a seed, series A and series B+ round",
    )
    cost_per_employee_eur: float = parameter(
        70_000,
        unit="€/year",
        gt=0,
        source=ASSUMPTION,
        description="yearly cost of an employee, used to turn funding into positions",
    )
    runway_years: float = parameter(
        3.0,
        unit="years",
        gt=0,
        source=ASSUMPTION,
        description="period a funding round is planned to pay for",
    )
    growth_drift_young: float = parameter(
        0.15,
        unit="1/year",
        source="calibrated to about 2.7 jobs per surviving firm at 3 years "
        "(PACA 2010 cohort, INSEE), with funding rounds on top; modelling assumption",
        description="drift of log desired size in the first three years",
    )
    growth_drift_later: float = parameter(
        0.05,
        unit="1/year",
        source=ASSUMPTION,
        description="drift of log desired size after three years",
    )
    growth_volatility: float = parameter(
        0.4,
        unit="1/sqrt(year)",
        source="Laplace growth-rate shocks with volatility falling as size^-0.2 (Fu et al. 2005, "
        "PNAS; Bottazzi & Secchi); level modelling assumption",
        description="volatility of log desired size at size 1",
    )
    quality_growth: float = parameter(
        0.10,
        unit="1/year per unit quality",
        source=ASSUMPTION,
        description="extra drift of log desired size per standard deviation of quality",
    )
    quality_funding: float = parameter(
        0.5,
        unit="log multiplier per unit quality",
        source=ASSUMPTION,
        description="effect of quality on the probability of raising the next round",
    )
    founder_education_weight: tuple[float, float, float, float] = parameter(
        (0.2, 0.5, 1.0, 3.0),
        unit="relative weight",
        source="diploma raises creation and survival (INSEE Première 1852); modelling assumption",
        description="weight of a resident's diploma level 0-3 when founders are drawn",
    )
    incubator_founding_boost: float = parameter(
        0.5,
        unit="multiplier",
        ge=0,
        source=ASSUMPTION,
        description="extra founding weight of a zone next to incubators (times exp(-d / 5 km))",
    )


@dataclass(frozen=True)
class ExtraFounding:
    """Foundings a policy adds: `rate` real startups a month in `zone`, in `sectors`."""

    zone: int
    rate: float
    sectors: tuple[str, ...]


@dataclass
class OpenPositions:
    """Open positions of the startups, grouped by zone (CSR): the labour market's view."""

    ids: np.ndarray  # startup numbers, sorted by zone
    zone: np.ndarray  # zone of each
    open: np.ndarray  # open positions of each
    zone_start: np.ndarray  # startups of zone z are [zone_start[z], zone_start[z + 1])


class Startup(mesa.Agent):
    """One (representative) startup."""

    def __init__(
        self, model: mesa.Model, number: int, zone: int, sector: str, founded_month: int, quality: float
    ):
        super().__init__(model)
        self.number = number
        self.zone = zone
        self.sector = sector
        self.founded_month = founded_month
        self.quality = quality
        self.stage = 0
        self.funding_eur = 0.0
        self.desired_size = 1.0
        self.employees = 0
        self.incubator: Incubator | None = None
        self.incubation_end = -1
        self.ever_incubated = False
        # support from policies (a seed fund, a science park): 1, 0, 1 without any
        self.hazard_multiplier = 1.0
        self.growth_bonus = 0.0  # per year, added to the drift of log desired size
        self.funding_multiplier = 1.0

    def age_months(self, month: int) -> int:
        return month - self.founded_month

    @property
    def open_positions(self) -> int:
        return max(0, round(self.desired_size) - self.employees)


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
        r = model.residents
        weights = np.zeros(model.territory.n_zones)
        founder_weight_kernel(
            r.zone,
            r.age_months,
            r.status,
            r.education,
            np.array(self.params.founder_education_weight),
            chunks_for(r.n),
            weights,
        )
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
        r = model.residents
        founders = np.full(int(counts.sum()), -1, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        pick_founders_kernel(
            model.keys("startups.founders"),
            r.zone,
            r.age_months,
            r.status,
            r.education,
            np.array(self.params.founder_education_weight),
            starts,
            founders,
            np.full(founders.size, -np.inf),
        )
        created = 0
        attribute_key = model.keys("startups.attributes")
        for zone in np.flatnonzero(counts):
            for slot in range(starts[zone], starts[zone + 1]):
                founder = founders[slot]
                if founder < 0:
                    continue
                startup = self._new_startup(model, int(zone), month, attribute_key, sectors[slot])
                _employ(model, founder, startup.number, int(zone))
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
                action[startup.number] = _ACTION_GRADUATE
                self._end(startup, month, "graduated")
                continue
            if u[0] < self.hazard(startup, age, model):
                action[startup.number] = _ACTION_CLOSE
                self._end(startup, month, "closed")
                closed += 1
                continue
            self._grow(startup, age, u[1], u[2], u[3], model)
            excess = startup.employees - round(startup.desired_size)
            if excess > 0:
                action[startup.number] = _ACTION_LAYOFF
                quota[startup.number] = excess
        graduates_by_zone = np.zeros(model.territory.n_zones, dtype=np.int64)
        if action.any():
            r = model.residents
            release_kernel(
                r.employer,
                r.status,
                r.months_in_status,
                r.income,
                r.work_zone,
                model.income_factor,
                action,
                quota,
                graduates_by_zone,
            )
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
        r = model.residents
        counts = np.zeros(self.next_number, dtype=np.int64)
        count_employees_kernel(r.employer, r.status, chunks_for(r.n), counts)
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


def _employ(model: ModelView, i: int, employer_number: int, work_zone: int) -> None:
    """A founder leaves whatever they were doing to work in their startup."""
    r = model.residents
    change_status(i, Status.EMPLOYED, r.status, r.months_in_status, r.income, model.income_factor)
    r.employer[i] = employer_number
    r.work_zone[i] = work_zone
    r.trained[i] = 0


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


@njit(cache=True, parallel=True)
def founder_weight_kernel(
    zone, age_months, status, education, education_weight, n_chunks, weights
):  # pragma: no cover
    """Sum of founder weights (working-age residents in or out of work, by diploma) per zone.
    Chunks in parallel, their sums added in chunk order (see `ampsim.core.chunks`)."""
    partial = np.zeros((n_chunks, weights.size))
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        for i in range(start, stop):
            s = status[i]
            if s != Status.EMPLOYED and s != Status.UNEMPLOYED:
                continue
            age = age_months[i] // 12
            if 25 <= age <= 54:
                partial[c, zone[i]] += education_weight[education[i]]
    for c in range(n_chunks):
        weights += partial[c]


@njit(cache=True)
def pick_founders_kernel(
    key, zone, age_months, status, education, education_weight, starts, founders, best
):  # pragma: no cover
    """Weighted sampling without replacement per zone (Efraimidis-Spirakis keys log(u)/w)."""
    for i in range(zone.size):
        z = zone[i]
        first, last = starts[z], starts[z + 1]
        if first == last:
            continue
        s = status[i]
        if s != Status.EMPLOYED and s != Status.UNEMPLOYED:
            continue
        age = age_months[i] // 12
        if age < 25 or age > 54:
            continue
        score = np.log(max(uniform(key, i, 0), 1e-300)) / education_weight[education[i]]
        # keep the `last - first` best scores of the zone (small k: insertion)
        worst = first
        for k in range(first + 1, last):
            if best[k] < best[worst]:
                worst = k
        if score > best[worst]:
            best[worst] = score
            founders[worst] = i


@njit(cache=True, parallel=True)
def count_employees_kernel(employer, status, n_chunks, counts):  # pragma: no cover
    """Employed residents by startup number (chunks in parallel, integer counts)."""
    partial = np.zeros((n_chunks, counts.size), dtype=np.int64)
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, employer.size)
        for i in range(start, stop):
            e = employer[i]
            if e > 0 and status[i] == Status.EMPLOYED and e < counts.size:
                partial[c, e] += 1
    for c in range(n_chunks):
        counts += partial[c]


@njit(cache=True)
def release_kernel(
    employer, status, months_in_status, income, work_zone, income_factor, action, quota, graduates_by_zone
):  # pragma: no cover
    """Apply startup closures (staff to unemployment), graduations (staff to incumbent jobs) and
    layoffs (up to a quota per startup)."""
    for i in range(employer.size):
        e = employer[i]
        if e <= 0 or e >= action.size or status[i] != Status.EMPLOYED:
            continue
        a = action[e]
        if a == _ACTION_NONE:
            continue
        if a == _ACTION_GRADUATE:
            employer[i] = INCUMBENT
            graduates_by_zone[work_zone[i]] += 1
            continue
        if a == _ACTION_LAYOFF:
            if quota[e] <= 0:
                continue
            quota[e] -= 1
        change_status(i, Status.UNEMPLOYED, status, months_in_status, income, income_factor)
        employer[i] = NO_EMPLOYER
        work_zone[i] = NO_ZONE
