"""Household disposable income from its members' jobs, pensions and unemployment benefits, by the
French tax-benefit rules; each resident's income is their household's standard of living.

Every resident carries what the rules need: the net pay of the job they hold (drawn at hire by
diploma, age, sex and employer, `earnings.py`, growing with experience and the SMIC), the net
pension of a retiree (`pensions.py`, topped up to the minimum vieillesse by household), and what
unemployment insurance needs: which of the last 64 months they worked (one bit each), the gross
daily reference wage (SJR) of the job that opened their ARE rights, the months of ARE left, and
whether they meet the ASS work condition.

ARE rights (decree 2023-33 on the 2019 rules): a job lost after 6 months or more worked in the
reference period (the last 24 months, 36 from 53) opens 0.75 x those months, at least 6, at most
18 (22.5 at 53-54, 27 from 55). Rights left when a job starts are kept and taken up again at the
next job loss when they exceed the new ones (reprise of the reliquat; the 3-year limit on it is
left out). ARE is paid to job seekers, and during training (AREF, counted against the rights);
rights are paused in the other statuses and end at retirement. The ASS is for job seekers who
exhausted their ARE and had worked 5 years in the 10 before the job loss that opened it (judged on
the 64 months kept: 60 of them worked, the condition's lower bound, an approximation),
means-tested by the calculator.
Residents who enter without a history (the initial population, in-migrants) get one drawn: the
employed have worked the last 64 months, and a job seeker is on ARE with the cited share of
registered job seekers, or has exhausted it and meets the ASS condition with the cited share of
the State's allowances (`EarningsParameters.arrival_benefit_shares`).

Households add their members up: at most two adults enter the calculator (the first two in slot
order), dependants are the under-18s and the 18-24 year-olds in education, and further adults'
pay and pensions are added to the household's income outside the benefit rules (an assumption).
Standard of living = disposable income / INSEE consumption units of all members; poverty = below
60 % of the national median (`taxbenefit.poverty_line`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ampsim.core.rng import uniform
from ampsim.submodels.income.earnings import career_growth_rate, draw_job_earnings, years_since_school
from ampsim.submodels.income.housing_costs import RentTable, household_rent
from ampsim.submodels.income.legislation import parameters_at
from ampsim.submodels.income.pensions import draw_pension
from ampsim.submodels.income.taxbenefit import MAX_CHILDREN_PER_BAND, compute, make_households
from ampsim.submodels.income.unemployment import are_monthly
from ampsim.world.residents import Status

GROSS_DAYS_PER_MONTH = 30.42  # days of ARE in a month (365 / 12)
HISTORY_MONTHS = 64  # months of work history kept, one bit each
FULL_HISTORY = np.uint64(0xFFFFFFFFFFFFFFFF)  # worked every month kept
ASS_WORK_MONTHS = 60  # ASS: 5 years worked in the 10 before the job loss (article R5423-1)


class IncomeState(NamedTuple):
    """Per-resident income state (float32 euros a month, months of ARE left, work history)."""

    earnings: np.ndarray  # net pay of the job held, 0 without one
    pension: np.ndarray  # net pension of a retiree, 0 otherwise
    reference_wage: np.ndarray  # gross daily reference wage (SJR) of the job that opened ARE
    benefit_months: np.ndarray  # uint8: months of ARE left
    worked: np.ndarray  # uint64: bit k set when employed k + 1 months ago
    ass: np.ndarray  # uint8: 1 when the ASS work condition was met at the last ARE opening
    catch_up: np.ndarray  # uint8: months left of the pay catch-up of a job taken by a job seeker


def empty_state(n: int) -> IncomeState:
    """No pay, no pension, no ARE, no work history."""
    return IncomeState(
        np.zeros(n, np.float32),
        np.zeros(n, np.float32),
        np.zeros(n, np.float32),
        np.zeros(n, np.uint8),
        np.zeros(n, np.uint64),
        np.zeros(n, np.uint8),
        np.zeros(n, np.uint8),
    )


@njit(cache=True)
def months_worked(worked, months: int) -> int:  # pragma: no cover - compiled
    """Months worked among the last `months` (at most 64) of a work history."""
    x = np.uint64(worked)
    if months < HISTORY_MONTHS:
        x = x & ((np.uint64(1) << np.uint64(months)) - np.uint64(1))
    count = 0
    while x != np.uint64(0):
        x = x & (x - np.uint64(1))
        count += 1
    return count


@njit(cache=True)
def longest_entitlement(age: int) -> float:  # pragma: no cover - compiled
    """Longest ARE entitlement, months: 18 under 53, 22.5 at 53-54, 27 from 55 (decree 2023-33)."""
    return 18.0 if age < 53 else (22.5 if age < 55 else 27.0)


@njit(cache=True)
def reference_period(age: int) -> int:  # pragma: no cover - compiled
    """Months in which work is counted for ARE: 24 under 53, 36 from 53."""
    return 24 if age < 53 else 36


@njit(cache=True)
def are_entitlement(age: int, months_worked: int) -> int:  # pragma: no cover - compiled
    """Months of ARE for a job lost after `months_worked` months (0 under 6): 0.75 x the months
    worked in the reference period (24 months under 53, 36 from 53), at least 6, at most 18,
    22.5 (53-54) or 27 (55+), rounded down."""
    if months_worked < 6:
        return 0
    return int(max(6.0, min(0.75 * min(months_worked, reference_period(age)), longest_entitlement(age))))


@njit(cache=True)
def meets_ass_condition(worked) -> bool:  # pragma: no cover - compiled
    """ASS work condition at a job loss, 5 years worked in the last 10, judged on the 64 months kept:
    met when 60 of them were worked (the months before are not kept, so this is the condition's
    lower bound: an approximation)."""
    return months_worked(worked, HISTORY_MONTHS) >= ASS_WORK_MONTHS


@njit(cache=True)
def is_job_seeker(status) -> bool:  # pragma: no cover - compiled
    """Unemployed or in training: whose next job pays the re-employment penalty."""
    return status == Status.UNEMPLOYED or status == Status.IN_TRAINING


@njit(cache=True)
def arrival_state(
    u_rights, u_left, u_pay, u_hours, status, age, education, sex, level, net_to_gross, shares, table
):  # pragma: no cover - compiled
    """(work history, months of ARE left, SJR, ASS condition) of a resident who enters without a
    history. The employed have worked the last 64 months (an assumption). A job seeker is on ARE
    with probability `shares[0]`: the months left uniform over the longest entitlement of their
    age, the months since the job loss the rest of it (worked every month before), the SJR that of
    the pay a job of theirs would pay (`level` the zone's pay level); or else, with probability
    `shares[1]`, has exhausted ARE and meets the ASS condition. Others have no history."""
    if status == Status.EMPLOYED:
        return FULL_HISTORY, 0, 0.0, 0
    if status != Status.UNEMPLOYED:
        return np.uint64(0), 0, 0.0, 0
    if u_rights < shares[0]:
        longest = int(longest_entitlement(age))
        left = min(1 + int(u_left * longest), longest)
        history = FULL_HISTORY << np.uint64(longest - left)
        pay = draw_job_earnings(u_pay, u_hours, education, age, sex, False, table) * level
        return history, left, pay / net_to_gross / GROSS_DAYS_PER_MONTH, 1
    if u_rights < shares[0] + shares[1]:
        return np.uint64(0), 0, 0.0, 1
    return np.uint64(0), 0, 0.0, 0


@njit(cache=True)
def arrival_kernel(u, r, level_by_origin, net_to_gross, shares, table, state):  # pragma: no cover - compiled
    """The drawn history (`arrival_state`) of every resident, from uniforms u (n, 4)."""
    _, _, reference_wage, benefit_months, worked, ass, _ = state
    for i in range(r.zone.size):
        w, left, sjr, condition = arrival_state(
            u[i, 0],
            u[i, 1],
            u[i, 2],
            u[i, 3],
            r.status[i],
            r.age_months[i] // 12,
            r.education[i],
            r.sex[i],
            level_by_origin[r.origin[i]],
            net_to_gross,
            shares,
            table,
        )
        worked[i], benefit_months[i], reference_wage[i], ass[i] = w, left, sjr, condition


@njit(cache=True)
def reconcile_kernel(  # pragma: no cover - compiled
    key,
    r,
    previous_status,
    replaced,
    level_by_origin,
    net_to_gross,
    arrival_shares,
    smic_growth,
    earnings_table,
    pension_table,
    state,
    household,
    dirty,
):
    """Bring each resident's income state in line with the month's status changes (serial, so
    that households are marked without races): the work history moves on by a month, a new job is
    paid (a job seeker's `reemployment_factor` below the draw, catching up over `catch_up_months`),
    a job lost opens ARE rights for a job seeker (or takes up those left), a new retiree gets a
    pension, pay grows with experience and the SMIC, ARE runs down for job seekers and trainees.
    A newcomer's slot gets a drawn history (`arrival_state`). `level_by_origin` scales pay and
    pensions by the resident's origin (the income calibration's zone levels, those of the zone an
    arrival was drawn for: `Residents.origin`); draws are keyed on the slot (common random numbers).
    Marks `dirty` the households whose inputs changed."""
    earnings, pension, reference_wage, benefit_months, worked, ass, catch_up = state
    for i in range(r.zone.size):
        s = r.status[i]
        if s == Status.ABSENT:  # a free slot: its state is cleared when someone takes it
            continue
        age = r.age_months[i] // 12
        changed = replaced[i] or s != previous_status[i]
        if replaced[i]:
            earnings[i] = 0.0
            pension[i] = 0.0
            catch_up[i] = 0
            w, left, sjr, condition = arrival_state(
                uniform(key, i, 3),
                uniform(key, i, 4),
                uniform(key, i, 5),
                uniform(key, i, 6),
                s,
                age,
                r.education[i],
                r.sex[i],
                level_by_origin[r.origin[i]],
                net_to_gross,
                arrival_shares,
                earnings_table,
            )
            worked[i], benefit_months[i], reference_wage[i], ass[i] = w, left, sjr, condition
        else:
            worked[i] = (worked[i] << np.uint64(1)) | np.uint64(previous_status[i] == Status.EMPLOYED)
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
                earnings[i] = pay * level_by_origin[r.origin[i]]
                if not replaced[i] and is_job_seeker(previous_status[i]):
                    earnings[i] *= earnings_table.reemployment_factor
                    catch_up[i] = earnings_table.catch_up_months
                changed = True
            else:
                years = years_since_school(r.education[i], age, earnings_table)
                growth = np.exp(career_growth_rate(r.education[i], years, earnings_table))
                if catch_up[i] > 0:
                    growth *= earnings_table.catch_up_growth
                    catch_up[i] -= 1
                earnings[i] *= growth * smic_growth
        elif earnings[i] > 0.0:  # the job was lost this month
            catch_up[i] = 0
            if s == Status.UNEMPLOYED:
                rights = are_entitlement(age, months_worked(worked[i], reference_period(age)))
                if rights > 0 and rights >= benefit_months[i]:  # new rights, else those left
                    reference_wage[i] = earnings[i] / net_to_gross / GROSS_DAYS_PER_MONTH
                    benefit_months[i] = rights
                    ass[i] = 1 if meets_ass_condition(worked[i]) else 0
            earnings[i] = 0.0
            changed = True
        elif (s == Status.UNEMPLOYED or s == Status.IN_TRAINING) and benefit_months[i] > 0:
            benefit_months[i] -= 1
            changed = changed or benefit_months[i] == 0
        if s == Status.RETIRED and (benefit_months[i] > 0 or ass[i] > 0):
            benefit_months[i] = 0
            ass[i] = 0
            changed = True
        if s == Status.RETIRED and pension[i] <= 0.0:
            level = level_by_origin[r.origin[i]]
            pension[i] = draw_pension(uniform(key, i, 2), r.sex[i], pension_table) * level
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
    ass_eligible: np.ndarray  # (households, 2): exhausted ARE and meets the ASS work condition
    pensions: np.ndarray  # the calculator adults' pensions, together
    retiree_65: np.ndarray  # bool: an adult of ASPA age
    outside_income: np.ndarray  # further adults' pay and pensions
    outside_sjr: np.ndarray  # (households, 2): SJR of the first two further adults on ARE
    outside_ass: np.ndarray  # further adults on ASS
    units: np.ndarray  # INSEE consumption units of all members
    size: np.ndarray  # members


@njit(cache=True)
def aggregate_kernel(r, state, household, n_households, aspa_age, survivor):  # pragma: no cover - compiled
    """Each household's calculator inputs from its members (two passes over residents). ARE and
    ASS are paid to job seekers and trainees; a retiree's pension is the drawn total times
    `survivor[sex, 0]` with another adult in the household, `survivor[sex, 1]` without
    (`pensions.survivor_factors`)."""
    earnings, pension, reference_wage, benefit_months, _, ass, _ = state
    adults = np.zeros(n_households, np.int64)
    for i in range(r.zone.size):
        age = r.age_months[i] // 12
        if not (age < 18 or (age < 25 and r.status[i] == Status.IN_EDUCATION)):
            adults[household[i]] += 1
    n_adults = np.zeros(n_households, np.int64)
    children = np.zeros((n_households, 3), np.int64)
    pay = np.zeros((n_households, 2))
    on_are = np.zeros((n_households, 2), np.bool_)
    on_ass = np.zeros((n_households, 2), np.bool_)
    sjr = np.zeros((n_households, 2))
    pensions = np.zeros(n_households)
    retiree_65 = np.zeros(n_households, np.bool_)
    outside = np.zeros(n_households)
    outside_sjr = np.zeros((n_households, 2))
    outside_ass = np.zeros(n_households, np.int64)
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
        own = pension[i] * survivor[r.sex[i], 1 if adults[h] == 1 else 0]
        seeker = r.status[i] == Status.UNEMPLOYED or r.status[i] == Status.IN_TRAINING
        paid_are = seeker and benefit_months[i] > 0 and reference_wage[i] > 0.0
        if k < 2:
            pay[h, k] = earnings[i]
            on_are[h, k] = paid_are
            on_ass[h, k] = seeker and not paid_are and ass[i] > 0
            sjr[h, k] = reference_wage[i] if on_are[h, k] else 0.0
            pensions[h] += own
            retiree_65[h] = retiree_65[h] or (pension[i] > 0.0 and age >= aspa_age)
            n_adults[h] = k + 1
        else:
            outside[h] += earnings[i] + own
            if paid_are and outside_sjr[h, 0] == 0.0:
                outside_sjr[h, 0] = reference_wage[i]
            elif paid_are and outside_sjr[h, 1] == 0.0:
                outside_sjr[h, 1] = reference_wage[i]
            elif seeker and not paid_are and ass[i] > 0:
                outside_ass[h] += 1
    units = np.where(older > 0, 1.0 + 0.5 * np.maximum(older - 1, 0) + 0.3 * (size - older), 0.7 + 0.3 * size)
    for h in range(n_households):  # a household of dependants only: its eldest counts as adult
        if n_adults[h] == 0 and size[h] > 0:
            n_adults[h] = 1
            for band in (2, 1, 0):
                if children[h, band] > 0:
                    children[h, band] -= 1
                    break
    return HouseholdInputs(
        n_adults,
        children,
        pay,
        on_are,
        sjr,
        on_ass,
        pensions,
        retiree_65,
        outside,
        outside_sjr,
        outside_ass,
        units,
        size,
    )


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
        ass_eligible_1=inputs.ass_eligible[index, 0],
        ass_eligible_2=inputs.ass_eligible[index, 1],
    )
    result = compute(households, year, month)
    return index, (result.disposable_income + _outside_benefits(inputs, index, year, month)) / inputs.units[
        index
    ]


def _outside_benefits(inputs: HouseholdInputs, index: np.ndarray, year: int, month: int) -> np.ndarray:
    """Further adults' pay and pensions, plus their net ARE (the first two on it) and ASS, outside
    the household's benefit rules: each is taken as a single person without other resources (an
    assumption), so an ASS is its full amount."""
    p = parameters_at(year, month)
    total = inputs.outside_income[index].copy()
    for slot in (0, 1):
        sjr = inputs.outside_sjr[index, slot]
        total += are_monthly(sjr, sjr > 0.0, p)[0]
    return total + inputs.outside_ass[index] * p["ass.days_per_month"] * p["ass.daily_amount"]
