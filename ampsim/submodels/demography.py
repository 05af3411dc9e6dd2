"""Demography: ageing, deaths, out-migration, and the renewal of cohorts by births and newcomers.

Every month residents age by one month and leave the metropolis (death or out-migration) with
monthly probabilities by age and sex. Each vacated slot is taken at once by a newcomer in the same
zone: a newborn, so that births follow the national birth rate, or else an in-migrant aged 18-44.
Zone populations therefore stay at their census totals (a scenario changes them through housing),
while the age pyramid renews itself. A newcomer gets a diploma, a status, an income and a home cell
drawn from the same distributions as the initial population of its zone. Then, serially, the
households: leavers leave theirs, a newborn joins the household of a woman of the zone aged 16-50
(by the age-specific fertility rates), an in-migrant opens a one-person household, and children
left without an adult join another household (`household_events.settle_newcomers_kernel`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from ampsim.core.chunks import chunk_bounds, chunks_for
from ampsim.core.parameters import ASSUMPTION, ParameterGroup, bounded, parameter
from ampsim.core.rng import uniform
from ampsim.core.submodel import Submodel
from ampsim.submodels.household_events import settle_newcomers_kernel
from ampsim.world.households import HouseholdParameters
from ampsim.world.population import (
    PopulationParameters,
    draw_home_cell,
    education_cdf_by_zone,
    entrant_status_cdf,
)
from ampsim.world.residents import NO_EMPLOYER, NO_ZONE
from ampsim.world.view import ModelView

MAX_AGE_YEARS = 120
_INSEE_2023 = (
    "fitted (Gompertz, slope 0.1/year) to life expectancy at birth in France in 2023, "
    "{} years (INSEE, bilan démographique 2023)"
)


Fertility = bounded(0.0, 100.0)  # births per 100 women per year


class DemographyParameters(ParameterGroup):
    """Mortality, migration and births."""

    mortality_slope: float = parameter(
        0.10,
        unit="1/year",
        gt=0,
        le=0.2,
        source="Gompertz slope typical of low-mortality populations; modelling assumption",
        description="Gompertz slope b of the mortality hazard a·exp(b·age)",
    )
    mortality_level_female: float = parameter(
        1.066e-5,
        le=1e-3,
        unit="1/year",
        gt=0,
        source=_INSEE_2023.format("85.7 for women"),
        description="Gompertz level a for women",
    )
    mortality_level_male: float = parameter(
        1.887e-5,
        le=1e-3,
        unit="1/year",
        gt=0,
        source=_INSEE_2023.format("80.0 for men"),
        description="Gompertz level a for men",
    )
    birth_rate: float = parameter(
        9.9,
        unit="births per 1,000 residents per year",
        ge=0,
        le=30,
        source="INSEE, bilan démographique 2023: 678,000 births for 68.4 million residents",
        description="crude birth rate; births are the newcomers who are newborns",
    )
    out_migration_18_29: float = parameter(
        0.03,
        unit="1/year",
        ge=0,
        le=0.5,
        source=ASSUMPTION,
        description="annual probability of leaving the metropolis at ages 18-29 (studies, first jobs)",
    )
    out_migration_30_44: float = parameter(
        0.015,
        unit="1/year",
        ge=0,
        le=0.5,
        source=ASSUMPTION,
        description="annual probability of leaving the metropolis at ages 30-44",
    )
    out_migration_other: float = parameter(
        0.005,
        unit="1/year",
        ge=0,
        le=0.5,
        source=ASSUMPTION,
        description="annual probability of leaving the metropolis at other ages",
    )
    in_migrant_age_min: int = parameter(
        18,
        unit="years",
        ge=0,
        le=100,
        source=ASSUMPTION,
        description="youngest age of in-migrants (drawn uniformly up to the oldest)",
    )
    in_migrant_age_max: int = parameter(
        44,
        unit="years",
        ge=0,
        le=100,
        source=ASSUMPTION,
        description="oldest age of in-migrants",
    )
    fertility_by_age_group: tuple[Fertility, Fertility, Fertility, Fertility, Fertility] = parameter(
        (1.9, 9.0, 11.3, 6.7, 0.9),
        unit="births per 100 women per year",
        source="INSEE, 'Fécondité selon le groupe d'âges de la mère', France 2023 (provisional): "
        "15-24, 25-29, 30-34, 35-39 and 40-50 years (https://www.insee.fr/fr/statistiques/2381384)",
        description="relative weight of a woman of each age group (15-24, 25-29, 30-34, 35-39, "
        "40-50) when choosing the mother, whose household a newborn joins",
    )
    births_in_couples: float = parameter(
        0.91,
        unit="1",
        ge=0,
        le=1,
        source="INSEE censuses 2004-2007, as summarised in 2009: about 9 % of one-year-olds do not "
        "live with both parents; modelling assumption for births",
        description="share of newborns whose mother lives with a partner",
    )


_FERTILITY_GROUPS = ((15, 24), (25, 29), (30, 34), (35, 39), (40, 50))


def mother_weights(params: DemographyParameters, households: HouseholdParameters) -> np.ndarray:
    """Weight of a woman of each age in years (0..120) as a newborn's mother: the fertility rate
    of her age group, inside the parent window (16 to 50 years older than the child)."""
    weight = np.zeros(MAX_AGE_YEARS + 1)
    for (low, high), rate in zip(_FERTILITY_GROUPS, params.fertility_by_age_group, strict=True):
        weight[low : high + 1] = rate
    age = np.arange(MAX_AGE_YEARS + 1)
    weight[(age < households.parent_gap_min) | (age > households.parent_gap_max)] = 0.0
    return weight


def monthly_death_probability(params: DemographyParameters) -> np.ndarray:
    """P(death within a month) by sex (0 male, 1 female) and age in years (2 x 121)."""
    age = np.arange(MAX_AGE_YEARS + 1) + 0.5
    levels = np.array([params.mortality_level_male, params.mortality_level_female])[:, None]
    annual_hazard = levels * np.exp(params.mortality_slope * age)[None, :]
    probability = 1 - np.exp(-annual_hazard / 12)
    probability[:, -1] = 1.0  # nobody outlives the table
    return probability


def monthly_out_migration_probability(params: DemographyParameters) -> np.ndarray:
    """P(leaving the metropolis within a month) by age in years (121,)."""
    age = np.arange(MAX_AGE_YEARS + 1)
    annual = np.select(
        [(age >= 18) & (age <= 29), (age >= 30) & (age <= 44)],
        [params.out_migration_18_29, params.out_migration_30_44],
        params.out_migration_other,
    )
    return 1 - (1 - annual) ** (1 / 12)


class Demography(Submodel):
    """Ageing and renewal of the residents; counts the month's deaths and births by zone.

    Newcomers are drawn like the synthetic population, so the demography also takes the
    population's parameters."""

    def __init__(
        self,
        params: DemographyParameters,
        population: PopulationParameters,
        households: HouseholdParameters | None = None,
    ):
        super().__init__(params)
        self.population_params = population
        households = households or HouseholdParameters()
        self.death_probability = monthly_death_probability(params)
        self.migration_probability = monthly_out_migration_probability(params)
        self.mother_weight = mother_weights(params, households)
        self.parent_gap = np.array([households.parent_gap_min, households.parent_gap_max], dtype=np.int64)
        self._replaced = np.empty(0, dtype=np.int32)  # slots of the month's leavers, reused
        self.replaced_slots = np.empty(0, dtype=np.int32)  # the month's newcomers' slots
        self.relocated_children = 0

    def setup(self, model: ModelView) -> None:
        population_params, territory = self.population_params, model.territory
        self.education_cdf = education_cdf_by_zone(
            territory.zones["median_income_eur"].to_numpy(), territory.population, population_params
        )
        self.status_cdf = entrant_status_cdf(population_params, MAX_AGE_YEARS)
        self.median_income = territory.zones["median_income_eur"].to_numpy(float)
        self.newborn_share = self._newborn_share(model)
        self.deaths_by_zone = np.zeros(territory.n_zones, dtype=np.int64)
        self.births_by_zone = np.zeros(territory.n_zones, dtype=np.int64)
        self.exits_by_zone = np.zeros(territory.n_zones, dtype=np.int64)

    def _newborn_share(self, model: ModelView) -> float:
        """Share of newcomers who are newborns, so that births match the birth rate."""
        residents = model.residents
        age = np.minimum(residents.age_months // 12, MAX_AGE_YEARS)
        exits = (self.death_probability[residents.sex, age] + self.migration_probability[age]).sum()
        births = self.params.birth_rate / 1000 / 12 * residents.n
        return float(min(1.0, births / max(exits, 1e-12)))

    def step(self, model: ModelView) -> None:
        r = model.residents
        self.deaths_by_zone[:], self.births_by_zone[:], self.exits_by_zone[:] = 0, 0, 0
        if self._replaced.size != r.n:
            self._replaced = np.empty(r.n, dtype=np.int32)
        n_replaced = demography_kernel(
            model.keys("demography"),
            r.kernel_view(),
            self._tables(model),
            chunks_for(r.n),
            self.deaths_by_zone,
            self.births_by_zone,
            self.exits_by_zone,
            self._replaced,
        )
        replaced = listed_slots(self._replaced, n_replaced)
        self.replaced_slots = replaced  # slots taken by newcomers this month
        _, self.relocated_children = settle_newcomers_kernel(
            model.keys("households.demography"),
            r.kernel_view(),
            model.households.reserve(replaced.size),
            replaced,
            replaced.size,
            self.mother_weight,
            self.params.births_in_couples,
            self.parent_gap,
            model.territory.n_zones,
        )

    def _tables(self, model: ModelView) -> DemographyTables:
        grid = model.territory.grid
        return DemographyTables(
            death_probability=self.death_probability,
            migration_probability=self.migration_probability,
            newborn_share=self.newborn_share,
            migrant_age_min=self.params.in_migrant_age_min,
            migrant_age_max=self.params.in_migrant_age_max,
            education_cdf=self.education_cdf,
            status_cdf=self.status_cdf,
            median_income=self.median_income,
            income_sigma=self.population_params.income_sigma,
            zone_cell_start=grid.zone_cell_start,
            zone_cells=grid.zone_cells,
            cell_cdf=model.home_cell_cdf,
        )


class DemographyTables(NamedTuple):
    """What the demography kernel reads besides the residents (read-only)."""

    death_probability: np.ndarray  # monthly, by sex and age in years
    migration_probability: np.ndarray  # monthly, by age in years
    newborn_share: float  # share of newcomers who are newborns
    migrant_age_min: int  # in-migrants' ages, years (uniform)
    migrant_age_max: int
    education_cdf: np.ndarray  # by zone: CDF of the diploma level
    status_cdf: np.ndarray  # by sex and age: CDF of the status on arrival
    median_income: np.ndarray  # by zone, €/year per consumption unit
    income_sigma: float  # of log income around the zone median
    zone_cell_start: np.ndarray  # where a newcomer's home is: the cells of each zone (grid)
    zone_cells: np.ndarray
    cell_cdf: np.ndarray  # aligned with zone_cells (`home_cell_cdf`)


def listed_slots(listed: np.ndarray, n_listed: np.ndarray) -> np.ndarray:
    """The slots that a chunked kernel listed, chunk c's from its first slot on, in slot order."""
    n = listed.size
    parts = [listed[c * n // n_listed.size :][: n_listed[c]] for c in range(n_listed.size)]
    return np.concatenate(parts) if parts else listed[:0]


@njit(cache=True, parallel=True)
def demography_kernel(
    key, r, tables, n_chunks, deaths_by_zone, births_by_zone, exits_by_zone, replaced
):  # pragma: no cover
    """Age everyone (`r`, ResidentArrays) by a month; replace those who die or leave by newcomers
    in the same zone. Chunks run in parallel; each counts its deaths, births and exits by zone
    and lists its replaced slots, chunk c's in replaced[start_c : start_c + n_replaced[c]].
    Returns n_replaced, by chunk."""
    # unpacked before prange (see ResidentArrays)
    zone = r.zone
    home_cell = r.home_cell
    age_months = r.age_months
    sex = r.sex
    education = r.education
    status = r.status
    income = r.income
    months_in_status = r.months_in_status
    work_zone = r.work_zone
    employer = r.employer
    car = r.car
    awareness = r.awareness
    trained = r.trained
    exposure_no2 = r.exposure_no2
    exposure_pm25 = r.exposure_pm25
    death_probability = tables.death_probability
    migration_probability = tables.migration_probability
    newborn_share = tables.newborn_share
    n_zones = deaths_by_zone.size
    counts = np.zeros((n_chunks, 3, n_zones), dtype=np.int64)  # deaths, births, exits
    n_replaced = np.zeros(n_chunks, dtype=np.int64)
    max_age = death_probability.shape[1] - 1
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        k = start
        for i in range(start, stop):
            if age_months[i] < 65535:
                age_months[i] += 1
            if months_in_status[i] < 255:
                months_in_status[i] += 1
            age = min(age_months[i] // 12, max_age)
            p_death = death_probability[sex[i], age]
            u = uniform(key, i, 0)
            if u >= p_death + migration_probability[age]:
                continue
            z = zone[i]
            counts[c, 2, z] += 1
            if u < p_death:
                counts[c, 0, z] += 1
            # the slot is taken by a newcomer in the same zone
            newborn = uniform(key, i, 1) < newborn_share
            if newborn:
                counts[c, 1, z] += 1
            age_months[i], sex[i], education[i], status[i], income[i], home_cell[i] = _newcomer(
                key, i, z, newborn, tables
            )
            months_in_status[i] = 0
            work_zone[i] = NO_ZONE
            employer[i] = NO_EMPLOYER
            car[i] = 0
            awareness[i] = 0
            trained[i] = 0
            exposure_no2[i] = 0.0
            exposure_pm25[i] = 0.0
            replaced[k] = i
            k += 1
        n_replaced[c] = k - start
    for c in range(n_chunks):
        deaths_by_zone += counts[c, 0]
        births_by_zone += counts[c, 1]
        exits_by_zone += counts[c, 2]
    return n_replaced


@njit(cache=True, inline="always")
def _newcomer(key, i, z, newborn, tables):  # pragma: no cover - compiled
    """The age in months, sex, diploma, status, income and home cell of the newborn or in-migrant
    of zone z who takes slot i, drawn as at initialisation (`tables`: DemographyTables, read
    only; the kernel writes the slot, since writes inside prange must go to unpacked arrays)."""
    if newborn:
        new_age = 0
        age_months = 0
    else:
        span = tables.migrant_age_max - tables.migrant_age_min + 1
        new_age = tables.migrant_age_min + int(uniform(key, i, 2) * span)
        age_months = new_age * 12 + int(uniform(key, i, 4) * 12)
    new_sex = 1 if uniform(key, i, 3) < 0.5 else 0
    u_edu = uniform(key, i, 5)
    level = 0
    while level < 3 and u_edu >= tables.education_cdf[z, level]:
        level += 1
    status_cdf = tables.status_cdf
    u_status = uniform(key, i, 6)
    s = 0
    while s < status_cdf.shape[2] - 1 and u_status >= status_cdf[new_sex, new_age, s]:
        s += 1
    # Box-Muller normal for log income around the zone median (at the new status)
    u1 = max(uniform(key, i, 7), 1e-300)
    normal = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * uniform(key, i, 8))
    income = tables.median_income[z] * np.exp(tables.income_sigma * normal)
    u_home = uniform(key, i, 9)
    home_cell = draw_home_cell(u_home, z, tables.zone_cell_start, tables.zone_cells, tables.cell_cdf)
    return age_months, new_sex, level, s, income, home_cell
