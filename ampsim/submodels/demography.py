"""Demography: ageing, deaths and births.

Every month residents age by one month and die with a monthly probability by age and sex
(Gompertz). Women give birth with a monthly probability by age group (age-specific fertility),
scaled by whether they live with a partner so that 91 % of births are in couples. A death frees
the slot (`household_events.release_slots_kernel`: the household closes or is reclassified,
children left without an adult join another household); a newborn takes a free slot and joins
its mother's household and home. Migration across the boundary is the next submodel's
(`migration.py`), so births and deaths no longer balance each other: the population changes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from ampsim.core.chunks import chunk_bounds, chunks_for, listed_slots
from ampsim.core.parameters import ParameterGroup, bounded, parameter
from ampsim.core.rng import uniform
from ampsim.core.submodel import Submodel
from ampsim.submodels.household_events import release_slots_kernel
from ampsim.world.household_kernels import HouseholdKind
from ampsim.world.household_table import PARENT_GAP, age_spans, join, lives_with_partner_array, reclassify
from ampsim.world.households import HouseholdParameters
from ampsim.world.population import PopulationParameters, education_cdf_by_zone
from ampsim.world.residents import Sex, Status, reset_slot
from ampsim.world.view import ModelView

MAX_AGE_YEARS = 120
FEMALE_SHARE_AT_BIRTH = 100 / 205  # 105 boys are born per 100 girls (INSEE, état civil)
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
    fertility_by_age_group: tuple[Fertility, Fertility, Fertility, Fertility, Fertility] = parameter(
        (1.9, 9.0, 11.3, 6.7, 0.9),
        unit="births per 100 women per year",
        source="INSEE, 'Fécondité selon le groupe d'âges de la mère', France 2023 (provisional): "
        "15-24, 25-29, 30-34, 35-39 and 40-50 years (https://www.insee.fr/fr/statistiques/2381384)",
        description="births per 100 women of each age group (15-24, 25-29, 30-34, 35-39, 40-50) "
        "in a year: each woman's monthly probability of giving birth, before the split by "
        "living arrangement (`births_in_couples`)",
    )
    births_in_couples: float = parameter(
        0.91,
        unit="1",
        ge=0,
        le=1,
        source="INSEE censuses 2004-2007, as summarised in 2009: about 9 % of one-year-olds do not "
        "live with both parents; modelling assumption for births",
        description="share of newborns whose mother lives with a partner: the fertility of women "
        "living with a partner and of the others is scaled so that births keep this split",
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


def monthly_birth_probability(
    params: DemographyParameters,
    households: HouseholdParameters,
    partnered_women: np.ndarray,
    women: np.ndarray,
) -> np.ndarray:
    """P(giving birth within a month) by living arrangement (0 without a partner, 1 with one)
    and age in years (2 x 121): the fertility of the age group, inside the parent window, scaled
    for each arrangement so that a share `births_in_couples` of births is to women living with a
    partner. `partnered_women` and `women`: women by age at the start (121,)."""
    rate = mother_weights(params, households) / 100 / 12
    births = float(rate @ women)
    in_couples = float(rate @ partnered_women)
    alone = births - in_couples
    share = params.births_in_couples
    factor_couples = share * births / in_couples if in_couples > 0 else 0.0
    factor_alone = (1 - share) * births / alone if alone > 0 else 0.0
    return np.vstack([rate * factor_alone, rate * factor_couples])


class Demography(Submodel):
    """Ageing, deaths and births; counts the month's deaths and births by zone.

    Newborns are drawn like the synthetic population, so the demography also takes the
    population's parameters."""

    def __init__(
        self,
        params: DemographyParameters,
        population: PopulationParameters,
        households: HouseholdParameters | None = None,
    ):
        super().__init__(params)
        self.population_params = population
        self.households_params = households or HouseholdParameters()
        self.death_probability = monthly_death_probability(params)
        self.parent_gap = np.array(
            [self.households_params.parent_gap_min, self.households_params.parent_gap_max], dtype=np.int64
        )
        self._leavers = np.empty(0, dtype=np.int32)  # the month's deaths, by slot
        self._mothers = np.empty(0, dtype=np.int32)  # the month's mothers, by slot
        self.newborn_slots = np.empty(0, dtype=np.int32)  # the slots the month's newborns took
        self.relocated_children = 0
        self.births_without_room = 0

    def setup(self, model: ModelView) -> None:
        territory = model.territory
        self.education_cdf = education_cdf_by_zone(
            territory.zones["median_income_eur"].to_numpy(), territory.population, self.population_params
        )
        women, partnered = women_by_age(model)
        self.birth_probability = monthly_birth_probability(
            self.params, self.households_params, partnered, women
        )
        self.deaths_by_zone = np.zeros(territory.n_zones, dtype=np.int64)
        self.births_by_zone = np.zeros(territory.n_zones, dtype=np.int64)

    def step(self, model: ModelView, hazard_by_home_cell: np.ndarray | None = None) -> None:
        """Age everyone by a month; deaths at the life table's rate times the home cell's hazard
        multiplier (long-term exposure, `exposure.py`; 1 without it); births; newborns' slots."""
        r = model.residents
        if hazard_by_home_cell is None:
            hazard_by_home_cell = np.ones(model.territory.grid.cell_flat.size)
        self.deaths_by_zone[:], self.births_by_zone[:] = 0, 0
        if self._leavers.size != r.n:
            self._leavers = np.empty(r.n, dtype=np.int32)
            self._mothers = np.empty(r.n, dtype=np.int32)
        households = model.households.arrays()
        n_deaths, n_mothers = demography_kernel(
            model.keys("demography"),
            r.kernel_view(),
            households,
            age_spans(r.household, r.age_months, model.households.capacity)[0],
            DemographyTables(self.death_probability, self.birth_probability, hazard_by_home_cell),
            chunks_for(r.n),
            self.deaths_by_zone,
            self._leavers,
            self._mothers,
        )
        deaths = listed_slots(self._leavers, n_deaths)
        mothers = listed_slots(self._mothers, n_mothers)
        self.relocated_children = release_slots_kernel(
            model.keys("households.deaths"), r.kernel_view(), households, deaths, self.parent_gap,
            model.territory.n_zones,
        )  # fmt: skip
        free = np.flatnonzero(r.status == Status.ABSENT).astype(np.int32)
        born = min(mothers.size, free.size)
        self.births_without_room = mothers.size - born
        self.newborn_slots = free[:born]
        births_kernel(
            model.keys("demography.births"), r.kernel_view(), households, mothers[:born], self.newborn_slots,
            self.education_cdf, self.births_by_zone,
        )  # fmt: skip


def women_by_age(model: ModelView) -> tuple[np.ndarray, np.ndarray]:
    """Women by age in years (121,), all and those living with a partner (`lives_with_partner`)."""
    r = model.residents
    women = (r.sex == 1) & r.present()
    age = np.minimum(r.age_months // 12, MAX_AGE_YEARS)
    partnered = women & lives_with_partner_array(r, model.households.arrays())
    return (
        np.bincount(age[women], minlength=MAX_AGE_YEARS + 1).astype(float),
        np.bincount(age[partnered], minlength=MAX_AGE_YEARS + 1).astype(float),
    )


class DemographyTables(NamedTuple):
    """What the demography kernel reads besides the residents (read-only)."""

    death_probability: np.ndarray  # monthly, by sex and age in years
    birth_probability: np.ndarray  # monthly, by living with a partner (0, 1) and age in years
    hazard_by_home_cell: np.ndarray  # multiplier of the death probability (air), by home cell


@njit(cache=True, parallel=True)
def demography_kernel(
    key, r, hh, oldest, tables, n_chunks, deaths_by_zone, deaths, mothers
):  # pragma: no cover
    """Age everyone present (`r`, ResidentArrays; `hh`, HouseholdArrays) by a month; list those
    who die and the women who give birth, chunk c's from its first slot on (`listed_slots`); a
    woman lives with a partner when in a couple's household and not one of its children (more than
    16 years younger than `oldest`, its oldest member's age at the start of the month). Chunks run
    in parallel; returns the numbers listed, by chunk."""
    # unpacked before prange (see ResidentArrays)
    zone = r.zone
    age_months = r.age_months
    sex = r.sex
    status = r.status
    months_in_status = r.months_in_status
    household = r.household
    death_probability = tables.death_probability
    birth_probability = tables.birth_probability
    hazard = tables.hazard_by_home_cell
    home_cell = r.home_cell
    n_zones = deaths_by_zone.size
    counts = np.zeros((n_chunks, n_zones), dtype=np.int64)
    n_deaths = np.zeros(n_chunks, dtype=np.int64)
    n_mothers = np.zeros(n_chunks, dtype=np.int64)
    max_age = death_probability.shape[1] - 1
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        d, m = start, start
        for i in range(start, stop):
            if status[i] == Status.ABSENT:
                continue
            if age_months[i] < 65535:
                age_months[i] += 1
            if months_in_status[i] < 255:
                months_in_status[i] += 1
            age = min(age_months[i] // 12, max_age)
            if uniform(key, i, 0) < death_probability[sex[i], age] * hazard[home_cell[i]]:
                counts[c, zone[i]] += 1
                deaths[d] = i
                d += 1
                continue
            if sex[i] == Sex.FEMALE and birth_probability[0, age] + birth_probability[1, age] > 0.0:
                h = household[i]
                kind = hh.kind[h]
                couple = kind == HouseholdKind.COUPLE or kind == HouseholdKind.COUPLE_WITH_CHILDREN
                partnered = 1 if couple and age > oldest[h] - PARENT_GAP else 0
                if uniform(key, i, 1) < birth_probability[partnered, age]:
                    mothers[m] = i
                    m += 1
        n_deaths[c] = d - start
        n_mothers[c] = m - start
    for c in range(n_chunks):
        deaths_by_zone += counts[c]
    return n_deaths, n_mothers


@njit(cache=True)
def births_kernel(key, r, hh, mothers, slots, education_cdf, births_by_zone):  # pragma: no cover
    """Each mother's newborn takes the next free slot: age 0, a sex, the diploma level it heads
    for (the zone's distribution), in education, in the mother's household and home, with her
    income per consumption unit until the month's incomes. Draws are keyed on the mother's slot
    (the same mother has the same child in every scenario). Serial, in the mothers' slot order."""
    for k in range(mothers.size):
        mother, i = mothers[k], slots[k]
        z = r.zone[mother]
        r.age_months[i] = 0
        r.sex[i] = Sex.FEMALE if uniform(key, mother, 0) < FEMALE_SHARE_AT_BIRTH else Sex.MALE
        u = uniform(key, mother, 1)
        level = 0
        while level < 3 and u >= education_cdf[z, level]:
            level += 1
        r.education[i] = level
        reset_slot(r, i, Status.IN_EDUCATION)
        r.income[i] = r.income[mother]
        r.origin[i] = r.origin[mother]  # the family's traits
        h = r.household[mother]
        join(hh, r.household, r.zone, r.home_cell, i, h)
        reclassify(hh, r.age_months, h)
        births_by_zone[z] += 1
