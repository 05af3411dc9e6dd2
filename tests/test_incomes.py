"""The income side: pay, pensions and ARE follow status changes; households' standard of living
by the tax-benefit rules reproduces Filosofi's zone medians at the start."""

import numpy as np
import pytest

from ampsim.core.rng import uniform
from ampsim.model import AMPModel
from ampsim.submodels.income.earnings import (
    EarningsParameters,
    build_earnings_table,
    career_growth_rate,
    draw_job_earnings,
)
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


def test_a_job_seekers_new_job_pays_the_reemployment_penalty_then_catches_up(model):
    """A job taken by someone unemployed or in training last month pays the cited penalty below
    the same draw (which anyone else gets), and catches up over the cited months."""
    r, state = model.residents, model.incomes.state
    before, catch_up_before, pay_before = r.status.copy(), state.catch_up.copy(), state.earnings.copy()
    model.step()
    key, income = model.keys("income"), model.incomes
    newcomer = np.zeros(r.n, dtype=bool)  # a slot vacated and taken again this month
    newcomer[np.concatenate([model.demography.newborn_slots, model.migration.arrival_slots])] = True
    hired = np.flatnonzero(
        (r.status == Status.EMPLOYED) & (before != Status.EMPLOYED) & (before != Status.ABSENT) & ~newcomer
    )
    seeker = np.isin(before[hired], [Status.UNEMPLOYED, Status.IN_TRAINING])
    assert seeker.any() and (~seeker).any()
    table = income.earnings_table
    drawn = np.array(
        [
            draw_job_earnings(
                uniform(key, i, 0),
                uniform(key, i, 1),
                r.education[i],
                r.age_months[i] // 12,
                r.sex[i],
                r.employer[i] > 0,
                table,
            )
            * income.level_by_origin[r.origin[i]]
            for i in hired
        ]
    )
    ratio = state.earnings[hired] / drawn
    factor = 1.0 - EarningsParameters().reemployment_penalty
    assert np.allclose(ratio[seeker], factor, rtol=1e-5) and np.allclose(ratio[~seeker], 1.0, rtol=1e-5)
    months = EarningsParameters().reemployment_catch_up_months
    assert np.all(state.catch_up[hired[seeker]] == months) and np.all(state.catch_up[hired[~seeker]] == 0)
    kept = (r.status == Status.EMPLOYED) & (before == Status.EMPLOYED) & (catch_up_before > 0) & ~newcomer
    assert kept.any() and np.all(state.catch_up[kept] == catch_up_before[kept] - 1)
    # the pay of a job in its catch-up grows faster than others' by the catch-up factor (medians of
    # the growth net of the career profile: a birthday can move a few residents along it)
    stayed = (r.status == Status.EMPLOYED) & (before == Status.EMPLOYED) & ~newcomer
    years = np.maximum(r.age_months // 12 - table.leaving_age[r.education], 0.0)
    career = np.exp([career_growth_rate(e, y, table) for e, y in zip(r.education, years, strict=True)])
    growth = np.divide(state.earnings, pay_before * career, where=stayed, out=np.ones(r.n))
    catching_up = np.median(growth[kept]) / np.median(growth[stayed & (catch_up_before == 0)])
    assert catching_up == pytest.approx(table.catch_up_growth, rel=1e-5)
    assert np.all(state.catch_up[r.status != Status.EMPLOYED] == 0)
    assert table.catch_up_growth**table.catch_up_months * table.reemployment_factor == pytest.approx(1.0)


def test_the_reemployment_penalty_is_the_parameters():
    params = EarningsParameters(reemployment_penalty=0.2, reemployment_catch_up_months=12)
    table = build_earnings_table(params, 2026, 1)
    assert table.reemployment_factor == pytest.approx(0.8) and table.catch_up_months == 12
    assert table.catch_up_growth == pytest.approx(0.8 ** (-1 / 12))


@pytest.mark.parametrize(
    ("age", "months", "expected"),
    [(30, 5, 0), (30, 6, 6), (30, 12, 9), (30, 40, 18), (53, 40, 22), (56, 40, 27), (56, 10, 7)],
)
def test_are_entitlement_follows_the_2023_rules(age, months, expected):
    assert are_entitlement(age, months) == expected
