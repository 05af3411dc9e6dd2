"""Unemployment benefits of the residents: ARE rights from the months worked, taken up again after
a short job, kept in training; the ASS after exhausted ARE; a drawn history for those who enter
the model without one; and their effect on the poverty of the unemployed."""

import numpy as np
import pytest

from ampsim.model import AMPModel
from ampsim.submodels.income.earnings import EarningsParameters, build_earnings_table
from ampsim.submodels.income.household_income import (
    FULL_HISTORY,
    are_entitlement,
    arrival_state,
    meets_ass_condition,
    months_worked,
    reference_period,
)
from ampsim.submodels.income.pensions import PensionParameters, aspa_amounts, aspa_indexed, survivor_factors
from ampsim.submodels.income.taxbenefit import poverty_line
from ampsim.world.residents import Status


def history(*months_ago: int) -> np.uint64:
    """A work history with the given months worked (1 = last month)."""
    bits = 0
    for m in months_ago:
        bits |= 1 << (m - 1)
    return np.uint64(bits)


def test_months_worked_counts_the_reference_period_only():
    worked = history(*range(1, 11), *range(30, 41))  # 10 recent months, 11 more 30-40 months ago
    assert months_worked(worked, 24) == 10
    assert months_worked(worked, 36) == 10 + 7
    assert months_worked(worked, 64) == 21
    assert months_worked(FULL_HISTORY, 64) == 64 and months_worked(np.uint64(0), 24) == 0
    assert reference_period(52) == 24 and reference_period(53) == 36


def test_are_rights_follow_the_months_worked_in_the_reference_period():
    # 0.75 day of ARE per day worked (decree 2023-33), at least 6 months, capped by age
    assert are_entitlement(30, months_worked(history(*range(1, 6)), 24)) == 0  # 5 months: none
    assert are_entitlement(30, months_worked(history(*range(1, 13)), 24)) == 9
    assert are_entitlement(30, months_worked(FULL_HISTORY, 24)) == 18
    assert are_entitlement(54, months_worked(FULL_HISTORY, 36)) == 22
    assert are_entitlement(58, months_worked(FULL_HISTORY, 36)) == 27
    # work 30-40 months ago counts from 53 only
    old_work = history(*range(1, 4), *range(25, 36))
    assert are_entitlement(40, months_worked(old_work, 24)) == 0
    assert are_entitlement(55, months_worked(old_work, 36)) == 10


def test_ass_work_condition():
    assert meets_ass_condition(FULL_HISTORY)
    assert meets_ass_condition(history(*range(1, 61)))
    assert not meets_ass_condition(history(*range(1, 40)))


def test_arrivals_draw_their_rights_with_the_cited_shares():
    params = EarningsParameters()
    table = build_earnings_table(params, 2026, 1)
    shares = np.array(params.arrival_benefit_shares)
    rng = np.random.default_rng(7)
    n = 20_000
    u = rng.random((n, 4))
    drawn = [arrival_state(*u[i], Status.UNEMPLOYED, 35, 1, 0, 1.0, 0.79, shares, table) for i in range(n)]
    left = np.array([d[1] for d in drawn])
    sjr = np.array([d[2] for d in drawn])
    ass = np.array([d[3] for d in drawn])
    on_are = left > 0
    assert abs(on_are.mean() - shares[0]) < 0.02
    assert abs((ass[~on_are] > 0).mean() * (1 - on_are.mean()) - shares[1]) < 0.01
    assert left.max() <= 18 and left[on_are].min() >= 1 and np.all(sjr[on_are] > 20.0)
    employed = arrival_state(*u[0], Status.EMPLOYED, 35, 1, 0, 1.0, 0.79, shares, table)
    assert employed[0] == FULL_HISTORY and employed[1] == 0
    student = arrival_state(*u[0], Status.IN_EDUCATION, 19, 1, 0, 1.0, 0.79, shares, table)
    assert student[0] == 0 and student[1] == 0 and student[3] == 0


def test_survivor_pensions_go_to_retirees_without_a_partner_and_keep_the_mean():
    params = PensionParameters()
    share = np.array([0.3, 0.55])
    factors = survivor_factors(params, share)
    ratio = np.asarray(params.total_to_own_rights)
    assert np.all(factors[:, 1] > 1.0) and np.all(factors[:, 0] < 1.0)
    assert np.allclose(share * factors[:, 1] + (1 - share) * factors[:, 0], 1.0)
    assert np.allclose(factors[:, 0], 1.0 / ratio)


def test_aspa_is_indexed_after_its_last_known_value():
    assert aspa_indexed(2025, 6) == aspa_amounts(2025, 6)
    single, couple = aspa_indexed(2030, 6)
    assert single > aspa_amounts(2030, 6)[0] and couple > aspa_amounts(2030, 6)[1]
    growth = aspa_indexed(2031, 6)[0] / aspa_indexed(2030, 6)[0] - 1
    line_growth = poverty_line(2031) / poverty_line(2030) - 1
    assert abs(growth - line_growth) < 1e-9  # the floor keeps pace with the poverty line


@pytest.fixture(scope="module")
def run():
    """A model and the status each resident had before each of its months."""
    model = AMPModel(scale=0.02, seed=11, months=6, calibration_months=36)
    before = []
    for _ in range(6):
        before.append((model.residents.status.copy(), model.incomes.state.benefit_months.copy()))
        model.step()
    yield model, before
    model.close()


def test_job_losers_with_enough_work_open_rights_and_trainees_keep_theirs(run):
    model, before = run
    r, state = model.residents, model.incomes.state
    status, months = before[-1]
    newcomers = np.zeros(r.n, dtype=bool)  # slots freed and taken again this month hold someone else
    newcomers[model.demography.newborn_slots] = newcomers[model.migration.arrival_slots] = True
    lost = (status == Status.EMPLOYED) & (r.status == Status.UNEMPLOYED) & ~newcomers
    age = r.age_months // 12
    enough = np.array(
        [months_worked(state.worked[i], reference_period(age[i])) >= 6 for i in np.flatnonzero(lost)]
    )
    assert lost.sum() > 0
    assert np.all(state.benefit_months[np.flatnonzero(lost)[enough]] > 0)
    into_training = (status == Status.UNEMPLOYED) & (r.status == Status.IN_TRAINING) & (months > 1)
    assert np.all(state.benefit_months[into_training] == months[into_training] - 1)


def _unemployed_figures(model):
    r, state = model.residents, model.incomes.state
    age = r.age_months // 12
    unemployed = (r.status == Status.UNEMPLOYED) & (age >= 15) & (age < 65)
    poor = r.income < 12 * poverty_line(model.year)
    on_are = state.benefit_months > 0
    return unemployed, poor, on_are


def test_are_lowers_the_poverty_of_the_unemployed(run):
    model, _ = run
    unemployed, poor, on_are = _unemployed_figures(model)
    assert poor[unemployed & on_are].mean() < poor[unemployed & ~on_are].mean() - 0.1


def test_more_job_seekers_on_are_means_fewer_poor_unemployed():
    """Paired runs (same seed): more arrivals on ARE raise the share on ARE and lower the poverty
    of the unemployed."""
    figures = []
    for share in (0.0, 0.9):
        params = {"earnings": {"arrival_benefit_shares": (share, 0.0)}}
        model = AMPModel(params, scale=0.02, seed=5, months=2, calibration_months=24)
        model.step()
        unemployed, poor, on_are = _unemployed_figures(model)
        figures.append((on_are[unemployed].mean(), poor[unemployed].mean()))
        model.close()
    (share_low, poverty_low), (share_high, poverty_high) = figures
    print(f"\nARE share {share_low:.3f} -> {share_high:.3f}; poverty {poverty_low:.3f} -> {poverty_high:.3f}")
    assert share_high > share_low + 0.02
    assert poverty_high < poverty_low
