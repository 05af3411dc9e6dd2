"""Demography: ageing, deaths, out-migration, and the renewal of cohorts by births and newcomers.

Every month residents age by one month and leave the metropolis (death or out-migration) with
monthly probabilities by age and sex. Each vacated slot is taken at once by a newcomer in the same
zone: a newborn, so that births follow the national birth rate, or else an in-migrant aged 18-44.
Zone populations therefore stay at their census totals (a scenario changes them through housing),
while the age pyramid renews itself. A newcomer gets a diploma, a status, an income and a home cell
drawn from the same distributions as the initial population of its zone.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ampsim.core.chunks import chunk_bounds, chunks_for
from ampsim.core.parameters import ASSUMPTION, ParameterGroup, parameter
from ampsim.core.rng import uniform
from ampsim.core.submodel import Submodel
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
        unit="1/year",
        gt=0,
        source=_INSEE_2023.format("85.7 for women"),
        description="Gompertz level a for women",
    )
    mortality_level_male: float = parameter(
        1.887e-5,
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

    def __init__(self, params: DemographyParameters, population: PopulationParameters):
        super().__init__(params)
        self.population_params = population
        self.death_probability = monthly_death_probability(params)
        self.migration_probability = monthly_out_migration_probability(params)

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
        demography_kernel(
            model.keys("demography"),
            r.zone,
            r.home_cell,
            r.age_months,
            r.sex,
            r.education,
            r.status,
            r.income,
            r.months_in_status,
            r.work_zone,
            r.employer,
            r.car,
            r.awareness,
            r.trained,
            r.exposure_no2,
            r.exposure_pm25,
            self.death_probability,
            self.migration_probability,
            self.newborn_share,
            self.params.in_migrant_age_min,
            self.params.in_migrant_age_max,
            self.education_cdf,
            self.status_cdf,
            self.median_income,
            self.population_params.income_sigma,
            model.territory.grid.zone_cell_start,
            model.territory.grid.zone_cells,
            model.home_cell_cdf,
            chunks_for(r.n),
            self.deaths_by_zone,
            self.births_by_zone,
            self.exits_by_zone,
        )


@njit(cache=True, parallel=True)
def demography_kernel(
    key,
    zone,
    home_cell,
    age_months,
    sex,
    education,
    status,
    income,
    months_in_status,
    work_zone,
    employer,
    car,
    awareness,
    trained,
    exposure_no2,
    exposure_pm25,
    death_probability,
    migration_probability,
    newborn_share,
    migrant_age_min,
    migrant_age_max,
    education_cdf,
    status_cdf,
    median_income,
    income_sigma,
    zone_cell_start,
    zone_cells,
    cell_cdf,
    n_chunks,
    deaths_by_zone,
    births_by_zone,
    exits_by_zone,
):  # pragma: no cover - compiled
    """Age everyone by a month; replace those who die or leave by newcomers in the same zone.
    Chunks run in parallel; each counts its deaths, births and exits by zone."""
    n_zones = deaths_by_zone.size
    counts = np.zeros((n_chunks, 3, n_zones), dtype=np.int64)  # deaths, births, exits
    max_age = death_probability.shape[1] - 1
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
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
            _newcomer(
                key,
                i,
                z,
                newborn,
                home_cell,
                age_months,
                sex,
                education,
                status,
                income,
                months_in_status,
                work_zone,
                employer,
                car,
                awareness,
                trained,
                exposure_no2,
                exposure_pm25,
                migrant_age_min,
                migrant_age_max,
                education_cdf,
                status_cdf,
                median_income,
                income_sigma,
                zone_cell_start,
                zone_cells,
                cell_cdf,
            )
    for c in range(n_chunks):
        deaths_by_zone += counts[c, 0]
        births_by_zone += counts[c, 1]
        exits_by_zone += counts[c, 2]


@njit(cache=True, inline="always")
def _newcomer(
    key,
    i,
    z,
    newborn,
    home_cell,
    age_months,
    sex,
    education,
    status,
    income,
    months_in_status,
    work_zone,
    employer,
    car,
    awareness,
    trained,
    exposure_no2,
    exposure_pm25,
    migrant_age_min,
    migrant_age_max,
    education_cdf,
    status_cdf,
    median_income,
    income_sigma,
    zone_cell_start,
    zone_cells,
    cell_cdf,
):  # pragma: no cover - compiled
    """Slot i is taken by a newborn or an in-migrant of zone z, drawn as at initialisation."""
    if newborn:
        new_age = 0
        age_months[i] = 0
    else:
        span = migrant_age_max - migrant_age_min + 1
        new_age = migrant_age_min + int(uniform(key, i, 2) * span)
        age_months[i] = new_age * 12 + int(uniform(key, i, 4) * 12)
    new_sex = 1 if uniform(key, i, 3) < 0.5 else 0
    sex[i] = new_sex
    u_edu = uniform(key, i, 5)
    level = 0
    while level < 3 and u_edu >= education_cdf[z, level]:
        level += 1
    education[i] = level
    u_status = uniform(key, i, 6)
    s = 0
    while s < status_cdf.shape[2] - 1 and u_status >= status_cdf[new_sex, new_age, s]:
        s += 1
    status[i] = s
    months_in_status[i] = 0
    # Box-Muller normal for log income around the zone median (at the new status)
    u1 = max(uniform(key, i, 7), 1e-300)
    normal = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * uniform(key, i, 8))
    income[i] = median_income[z] * np.exp(income_sigma * normal)
    home_cell[i] = draw_home_cell(uniform(key, i, 9), z, zone_cell_start, zone_cells, cell_cdf)
    work_zone[i] = NO_ZONE
    employer[i] = NO_EMPLOYER
    car[i] = 0
    awareness[i] = 0
    trained[i] = 0
    exposure_no2[i] = 0.0
    exposure_pm25[i] = 0.0
