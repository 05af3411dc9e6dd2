"""Household disposable income from its members' jobs, pensions and unemployment insurance, by the
French tax-benefit rules; each resident's income is their household's standard of living.

Every resident carries what the rules need: the net pay of the job they hold (drawn at hire by
diploma, age, sex and employer, `earnings.py`, growing with experience and the SMIC), the net
pension of a retiree (`pensions.py`, topped up to the minimum vieillesse by household), and for a
job seeker the gross daily reference wage of the job lost and the months of ARE left (18 months
at most under 53, 22.5 at 53-54, 27 from 55: 0.75 x the months worked in the last 24 or 36, at
least 6; decree 2023-33). Households add their members up: at most two adults enter the
calculator (the first two in slot order), dependants are the under-18s and the 18-24 year-olds
in education, and further adults' pay and pensions are added to the household's income outside
the benefit rules (an assumption). Standard of living = disposable income / INSEE consumption
units of all members; poverty = below 60 % of the national median (`taxbenefit.poverty_line`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ampsim.core.rng import uniform
from ampsim.submodels.income.earnings import career_growth_rate, draw_job_earnings, years_since_school
from ampsim.submodels.income.housing_costs import RentTable, household_rent
from ampsim.submodels.income.pensions import draw_pension
from ampsim.submodels.income.taxbenefit import MAX_CHILDREN_PER_BAND, compute, make_households
from ampsim.world.residents import Status

GROSS_DAYS_PER_MONTH = 30.42  # days of ARE in a month (365 / 12)


class IncomeState(NamedTuple):
    """Per-resident income state (float32 euros a month, months of ARE left)."""

    earnings: np.ndarray  # net pay of the job held, 0 without one
    pension: np.ndarray  # net pension of a retiree, 0 otherwise
    reference_wage: np.ndarray  # gross daily reference wage (SJR) of the job lost, for ARE
    benefit_months: np.ndarray  # uint8: months of ARE left


def empty_state(n: int) -> IncomeState:
    """No pay, no pension, no ARE."""
    return IncomeState(
        np.zeros(n, np.float32), np.zeros(n, np.float32), np.zeros(n, np.float32), np.zeros(n, np.uint8)
    )


@njit(cache=True)
def are_entitlement(age: int, months_worked: int) -> int:  # pragma: no cover - compiled
    """Months of ARE for a job lost after `months_worked` months (0 under 6): 0.75 x the months
    worked in the reference period (24 months under 53, 36 from 53), at least 6, at most 18,
    22.5 (53-54) or 27 (55+), rounded down."""
    if months_worked < 6:
        return 0
    period = 24 if age < 53 else 36
    longest = 18.0 if age < 53 else (22.5 if age < 55 else 27.0)
    return int(max(6.0, min(0.75 * min(months_worked, period), longest)))


@njit(cache=True)
def reconcile_kernel(  # pragma: no cover - compiled
    key,
    r,
    previous_status,
    previous_months,
    replaced,
    zone_level,
    net_to_gross,
    smic_growth,
    earnings_table,
    pension_table,
    state,
    household,
    dirty,
):
    """Bring each resident's income state in line with the month's status changes (serial, so
    that households are marked without races): a new job is paid, a lost one opens ARE for a job
    seeker, a new retiree gets a pension, pay grows with experience and the SMIC, ARE runs down.
    `zone_level` scales pay and pensions by home zone (the income calibration); draws are keyed
    on the slot (common random numbers). Marks `dirty` the households whose inputs changed."""
    earnings, pension, reference_wage, benefit_months = state
    for i in range(r.zone.size):
        s = r.status[i]
        if s == Status.ABSENT:  # a free slot: its state is cleared when someone takes it
            continue
        age = r.age_months[i] // 12
        changed = replaced[i] or s != previous_status[i]
        if replaced[i]:
            earnings[i] = 0.0
            pension[i] = 0.0
            reference_wage[i] = 0.0
            benefit_months[i] = 0
        if s == Status.EMPLOYED:
            if earnings[i] <= 0.0:
                startup = r.employer[i] > 0
                pay = draw_job_earnings(
                    uniform(key, i, 0),
                    uniform(key, i, 1),
                    r.education[i],
                    age,
                    r.sex[i],
                    startup,
                    earnings_table,
                )
                earnings[i] = pay * zone_level[r.zone[i]]
                benefit_months[i] = 0
                changed = True
            else:
                years = years_since_school(r.education[i], age, earnings_table)
                growth = np.exp(career_growth_rate(r.education[i], years, earnings_table))
                earnings[i] *= growth * smic_growth
        elif earnings[i] > 0.0:  # the job was lost this month
            if s == Status.UNEMPLOYED:
                reference_wage[i] = earnings[i] / net_to_gross / GROSS_DAYS_PER_MONTH
                benefit_months[i] = are_entitlement(age, previous_months[i] + 1)
            earnings[i] = 0.0
            changed = True
        elif s == Status.UNEMPLOYED and benefit_months[i] > 0:
            benefit_months[i] -= 1
            changed = changed or benefit_months[i] == 0
        if s != Status.UNEMPLOYED and benefit_months[i] > 0:
            benefit_months[i] = 0
            changed = True
        if s == Status.RETIRED and pension[i] <= 0.0:
            pension[i] = draw_pension(uniform(key, i, 2), r.sex[i], pension_table) * zone_level[r.zone[i]]
            changed = True
        elif s != Status.RETIRED and pension[i] > 0.0:
            pension[i] = 0.0
            changed = True
        if changed:
            dirty[household[i]] = True


class HouseholdInputs(NamedTuple):
    """What the calculator needs of each household, plus what it leaves out."""

    n_adults: np.ndarray
    children: np.ndarray  # (households, 3): dependants aged 0-2, 3-13, 14 or more
    earnings: np.ndarray  # (households, 2): the two calculator adults' pay
    unemployed: np.ndarray  # (households, 2): on ARE
    reference_wage: np.ndarray  # (households, 2)
    pensions: np.ndarray  # the calculator adults' pensions, together
    retiree_65: np.ndarray  # bool: an adult of ASPA age
    outside_income: np.ndarray  # further adults' pay and pensions
    units: np.ndarray  # INSEE consumption units of all members
    size: np.ndarray  # members


@njit(cache=True)
def aggregate_kernel(r, state, household, n_households, aspa_age):  # pragma: no cover - compiled
    """Each household's calculator inputs from its members (one pass over residents)."""
    earnings, pension, reference_wage, benefit_months = state
    n_adults = np.zeros(n_households, np.int64)
    children = np.zeros((n_households, 3), np.int64)
    pay = np.zeros((n_households, 2))
    on_are = np.zeros((n_households, 2), np.bool_)
    sjr = np.zeros((n_households, 2))
    pensions = np.zeros(n_households)
    retiree_65 = np.zeros(n_households, np.bool_)
    outside = np.zeros(n_households)
    older = np.zeros(n_households, np.int64)  # members aged 14 or more
    size = np.zeros(n_households, np.int64)
    for i in range(r.zone.size):
        h = household[i]
        if h < 0:  # a free slot
            continue
        age = r.age_months[i] // 12
        size[h] += 1
        if age >= 14:
            older[h] += 1
        dependant = age < 18 or (age < 25 and r.status[i] == Status.IN_EDUCATION)
        if dependant:
            band = 0 if age < 3 else (1 if age < 14 else 2)
            children[h, band] += 1
            continue
        k = n_adults[h]
        if k < 2:
            pay[h, k] = earnings[i]
            on_are[h, k] = benefit_months[i] > 0 and reference_wage[i] > 0.0
            sjr[h, k] = reference_wage[i] if on_are[h, k] else 0.0
            pensions[h] += pension[i]
            retiree_65[h] = retiree_65[h] or (pension[i] > 0.0 and age >= aspa_age)
            n_adults[h] = k + 1
        else:
            outside[h] += earnings[i] + pension[i]
    units = np.where(older > 0, 1.0 + 0.5 * np.maximum(older - 1, 0) + 0.3 * (size - older), 0.7 + 0.3 * size)
    for h in range(n_households):  # a household of dependants only: its eldest counts as adult
        if n_adults[h] == 0 and size[h] > 0:
            n_adults[h] = 1
            for band in (2, 1, 0):
                if children[h, band] > 0:
                    children[h, band] -= 1
                    break
    return HouseholdInputs(n_adults, children, pay, on_are, sjr, pensions, retiree_65, outside, units, size)


class HousingInputs(NamedTuple):
    """Each household's tenure and the housing-benefit zone and rent area of each zone."""

    tenure: np.ndarray  # by household (housing_costs.Tenure)
    household_zone: np.ndarray  # by household
    apl_zone: np.ndarray  # by zone: housing-benefit zone 1-3
    rent_area: np.ndarray  # by zone: housing_costs.RentArea
    index_ratio: np.ndarray  # by zone: rent index relative to the start


@njit(cache=True)
def _rents(tenure, size, area, ratio, table):  # pragma: no cover - compiled
    out = np.empty(tenure.size)
    for k in range(tenure.size):
        out[k] = household_rent(tenure[k], size[k], area[k], ratio[k], table)
    return out


def standard_of_living(
    inputs: HouseholdInputs,
    housing: HousingInputs,
    rent_table: RentTable,
    aspa: tuple[float, float],
    year: int,
    month: int,
    which: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The households computed (those of `which`, all when None, that have members) and their
    monthly standard of living (disposable income per consumption unit) by the rules in force in
    `month`/`year`."""
    index = np.flatnonzero(inputs.size > 0) if which is None else which[inputs.size[which] > 0]
    zone = housing.household_zone[index]
    rent = _rents(
        housing.tenure[index].astype(np.int64),
        inputs.size[index],
        housing.rent_area[zone].astype(np.int64),
        housing.index_ratio[zone].astype(np.float64),
        rent_table,
    )
    couple = inputs.n_adults[index] == 2
    ceiling = np.where(couple, aspa[1], aspa[0])
    pensions = inputs.pensions[index]
    pensions = np.where(inputs.retiree_65[index], np.maximum(pensions, ceiling), pensions)  # ASPA
    children = np.minimum(inputs.children[index], MAX_CHILDREN_PER_BAND)
    households = make_households(
        n_adults=inputs.n_adults[index],
        children_0_2=children[:, 0],
        children_3_13=children[:, 1],
        children_14_19=children[:, 2],
        earnings_1=inputs.earnings[index, 0],
        earnings_2=inputs.earnings[index, 1],
        unemployed_1=inputs.unemployed[index, 0],
        unemployed_2=inputs.unemployed[index, 1],
        reference_daily_wage_1=inputs.reference_wage[index, 0],
        reference_daily_wage_2=inputs.reference_wage[index, 1],
        rent=rent,
        zone=housing.apl_zone[zone],
        pensions=pensions,
    )
    result = compute(households, year, month)
    return index, (result.disposable_income + inputs.outside_income[index]) / inputs.units[index]
