"""The income side: pay, pensions and ARE follow status changes; households' standard of living
by the tax-benefit rules reproduces Filosofi's zone medians at the start."""

import numpy as np
import pytest

from ampsim.model import AMPModel
from ampsim.submodels.income.household_income import are_entitlement
from ampsim.submodels.income.incomes import zone_medians
from ampsim.submodels.income.taxbenefit import poverty_line
from ampsim.world.household_kernels import HouseholdKind
from ampsim.world.residents import Status


@pytest.fixture(scope="module")
def model():
    model = AMPModel(scale=0.02, seed=2026, months=12, calibration_months=36)
    yield model
    model.close()


def test_zone_medians_reproduce_filosofi_at_the_start(model):
    r, incomes = model.residents, model.incomes
    present = r.present()
    medians = zone_medians(r.income[present], r.zone[present], model.territory.n_zones)
    error = np.abs(medians / incomes.target - 1)
    print(
        f"\nzone medians: largest relative gap {error.max():.4f}; zone levels "
        f"{incomes.zone_level.min():.2f}-{incomes.zone_level.max():.2f}"
    )
    assert error.max() < 0.01


def test_poverty_of_the_employed_is_low_and_of_the_unemployed_high(model):
    r = model.residents
    poor = r.income < 12 * poverty_line(model.year)
    rates = {s.name: float(poor[r.status == s].mean()) for s in (Status.EMPLOYED, Status.UNEMPLOYED)}
    print(
        f"\npoverty at the start: all {poor.mean():.3f}, "
        + ", ".join(f"{k} {v:.3f}" for k, v in rates.items())
    )
    assert rates["EMPLOYED"] <= 0.10
    assert rates["UNEMPLOYED"] > 3 * rates["EMPLOYED"]


# Provence-Alpes-Côte d'Azur: 25.5 % of children under 18 poor in 2018 (Insee Analyses PACA 104,
# June 2022) and 30.2 % of people in single-parent families in 2020 (INSEE via La Tribune, 2023)
PACA_CHILD_POVERTY, PACA_SINGLE_PARENT_POVERTY = 0.255, 0.302


def test_poverty_by_group_at_the_start_is_near_the_published_rates(model):
    r = model.residents
    present = r.present()
    poor = present & (r.income < 12 * poverty_line(model.year))
    kind = model.households.arrays().kind[np.where(present, r.household, 0)]
    groups = {
        "unemployed": present & (r.status == Status.UNEMPLOYED),
        "children": present & (r.age_months < 18 * 12),
        "single_parent": present & (kind == HouseholdKind.SINGLE_PARENT),
    }
    rates = {name: poor[group].sum() / group.sum() for name, group in groups.items()}
    print("\npoverty at the start: " + ", ".join(f"{k} {v:.3f}" for k, v in rates.items()))
    assert 0.30 <= rates["unemployed"] <= 0.45
    assert abs(rates["children"] - PACA_CHILD_POVERTY) <= 0.03
    assert abs(rates["single_parent"] - PACA_SINGLE_PARENT_POVERTY) <= 0.03


def test_members_of_a_household_share_its_income(model):
    r = model.residents
    for _ in range(3):
        model.step()
    order = np.argsort(r.household, kind="stable")
    household, income = r.household[order], r.income[order]
    first = np.r_[True, household[1:] != household[:-1]]
    starts = np.flatnonzero(first)
    assert np.array_equal(income, np.repeat(income[starts], np.diff(np.r_[starts, income.size])))


def test_pay_pensions_and_are_follow_status(model):
    r, state = model.residents, model.incomes.state
    employed, retired = r.status == Status.EMPLOYED, r.status == Status.RETIRED
    assert np.all(state.earnings[employed] > 0) and np.all(state.earnings[~employed] == 0)
    assert np.all(state.pension[retired] > 0) and np.all(state.pension[~retired] == 0)
    assert np.all(state.benefit_months[retired] == 0) and np.all(state.ass[retired] == 0)
    assert np.all(state.reference_wage[state.benefit_months > 0] > 0)
    share = float((state.benefit_months[r.status == Status.UNEMPLOYED] > 0).mean())
    print(f"\nshare of the unemployed receiving ARE: {share:.3f}")
    assert 0.05 < share < 0.9


@pytest.mark.parametrize(
    ("age", "months", "expected"),
    [(30, 5, 0), (30, 6, 6), (30, 12, 9), (30, 40, 18), (53, 40, 22), (56, 40, 27), (56, 10, 7)],
)
def test_are_entitlement_follows_the_2023_rules(age, months, expected):
    assert are_entitlement(age, months) == expected
