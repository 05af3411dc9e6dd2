"""The income side: pay, pensions and ARE follow status changes; households' standard of living
by the tax-benefit rules reproduces Filosofi's zone medians after calibration."""

import numpy as np
import pytest

from ampsim.core.rng import month_key
from ampsim.core.seeds import SeedPlan
from ampsim.submodels.income.household_income import are_entitlement
from ampsim.submodels.income.incomes import Incomes, zone_medians
from ampsim.submodels.income.taxbenefit import poverty_line
from ampsim.world.households import form_households, household_composition
from ampsim.world.population import synthesise_population
from ampsim.world.residents import Status
from ampsim.world.territory import load_territory


@pytest.fixture(scope="module")
def world():
    territory = load_territory()
    seeds = SeedPlan.from_seed(2026).replicate(0)
    residents = synthesise_population(territory, 0.02, seeds)
    household, households = form_households(
        residents.zone,
        residents.age_months // 12,
        residents.sex,
        residents.status,
        household_composition(territory),
        seeds.generator("population.households"),
    )
    incomes = Incomes()
    incomes.setup(residents, household, households.n, territory, seeds, 2026, 1)
    return territory, seeds, residents, household, households, incomes


def test_zone_medians_reproduce_filosofi(world):
    territory, _, residents, _, _, incomes = world
    medians = zone_medians(residents.income, residents.zone, territory.n_zones)
    error = np.abs(medians / incomes.target - 1)
    print(f"\nzone medians: largest relative gap {error.max():.4f}; zone levels "
          f"{incomes.zone_level.min():.2f}-{incomes.zone_level.max():.2f}")
    assert error.max() < 0.01


def test_poverty_of_the_employed_is_low_and_of_the_unemployed_high(world):
    _, _, residents, _, _, _ = world
    poor = residents.income < 12 * poverty_line(2026)
    rates = {s.name: float(poor[residents.status == s].mean()) for s in (Status.EMPLOYED, Status.UNEMPLOYED)}
    print(f"\npoverty: all {poor.mean():.3f}, " + ", ".join(f"{k} {v:.3f}" for k, v in rates.items()))
    assert rates["EMPLOYED"] <= 0.10
    assert rates["UNEMPLOYED"] > 3 * rates["EMPLOYED"]


def test_members_of_a_household_share_its_income(world):
    _, _, residents, household, _, _ = world
    order = np.argsort(household, kind="stable")
    first = np.r_[True, household[order][1:] != household[order][:-1]]
    head_income = np.repeat(residents.income[order][first], np.diff(np.r_[np.flatnonzero(first), order.size]))
    assert np.array_equal(residents.income[order], head_income)


@pytest.mark.parametrize(
    ("age", "months", "expected"),
    [(30, 5, 0), (30, 6, 6), (30, 12, 9), (30, 40, 18), (53, 40, 22), (56, 40, 27), (56, 10, 7)],
)
def test_are_entitlement_follows_the_2023_rules(age, months, expected):
    assert are_entitlement(age, months) == expected


def test_a_job_lost_opens_are_and_a_job_found_is_paid_at_least_the_floor(world):
    territory, _, residents, household, households, incomes = world
    r = residents
    employed = np.flatnonzero(r.status == Status.EMPLOYED)[:200]
    seekers = np.flatnonzero(r.status == Status.UNEMPLOYED)[:200]
    r.months_in_status[employed] = 30
    incomes.previous_months[:] = r.months_in_status
    r.status[employed] = Status.UNEMPLOYED
    r.status[seekers] = Status.EMPLOYED
    key = month_key(np.uint64(7), 2)
    computed = incomes.step(
        r, household, households.n, key, np.zeros(r.n, np.bool_), 2026, 2, np.ones(territory.n_zones)
    )
    state = incomes.state
    assert np.all(state.earnings[employed] == 0) and np.all(state.reference_wage[employed] > 0)
    assert np.all(state.benefit_months[employed[r.age_months[employed] // 12 < 53]] == 18)
    assert np.all(state.earnings[seekers] > 0)
    assert 0 < computed < households.n
