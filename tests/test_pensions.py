"""Pensions: the drawn distribution of a synthetic retiree population meets DREES's means by sex
and pooled deciles, the ASPA floor holds, draws are deterministic and bad input is refused."""

import numpy as np
import pytest

from ampsim.core.parameters import iter_parameters
from ampsim.core.seeds import SeedPlan
from ampsim.submodels.income.legislation import load_legislation
from ampsim.submodels.income.pensions import (
    PensionParameters,
    aspa_amounts,
    aspa_indexed,
    aspa_top_up,
    draw_pension,
    draw_pensions,
    fit_pension_table,
    target_means,
)
from ampsim.world.population import synthesise_population
from ampsim.world.residents import Status

SCALE = 0.05


@pytest.fixture(scope="module")
def params():
    return PensionParameters()


@pytest.fixture(scope="module")
def table(params):
    return fit_pension_table(params)


@pytest.fixture(scope="module")
def retirees(territory):
    residents = synthesise_population(territory, SCALE, SeedPlan.from_seed(11).replicate(0))
    retired = residents.status == Status.RETIRED
    return residents.sex[retired].astype(np.int64), residents.age_years()[retired]


@pytest.fixture(scope="module")
def drawn(retirees, table):
    sex, _ = retirees
    u = SeedPlan.from_seed(11).replicate(0).generator("income.pensions").random(sex.size)
    return draw_pensions(u, sex, table)


def test_target_means_follow_the_published_figures(params):
    men, women = target_means(params)
    net = 1541.0 / 1666.0
    assert women == pytest.approx(1306.0 * 1399.0 / 1145.0 * net)
    assert men == pytest.approx((1666.0 - 0.53 * 1306.0) / 0.47 * 1947.0 / 1924.0 * net)
    # own rights: women about 38 % below men, as DREES says; with survivors' pensions about 24 %
    women_over_men = 1306.0 / ((1666.0 - 0.53 * 1306.0) / 0.47)
    assert women_over_men == pytest.approx(0.62, abs=0.015)
    assert 1.0 - women / men == pytest.approx(0.24, abs=0.02)


def test_mean_and_median_by_sex_match_the_targets(retirees, drawn, params, table):
    sex, _ = retirees
    targets = target_means(params)
    print(
        f"\n{sex.size} synthetic retirees (scale {SCALE}); sigma below {table.sigma_below:.3f}, "
        f"above {table.sigma_above:.3f}"
    )
    for s, name in enumerate(("men", "women")):
        mine = drawn[sex == s]
        print(
            f"{name}: mean {mine.mean():.0f} (target {targets[s]:.0f}), median {np.median(mine):.0f} "
            f"(fitted {table.median[s]:.0f}) EUR net/month"
        )
        assert mine.mean() == pytest.approx(targets[s], rel=0.03)
        assert np.median(mine) == pytest.approx(table.median[s], rel=0.03)


def test_pooled_deciles_match_drees_ratios(drawn, params):
    mean = drawn.mean()
    d1, median, d9 = np.percentile(drawn, [10, 50, 90]) / mean
    print(
        f"\npooled over mean: D1 {d1:.3f} ({params.d1_to_mean:.3f}), median {median:.3f} "
        f"({params.median_to_mean:.3f}), D9 {d9:.3f} ({params.d9_to_mean:.3f})"
    )
    assert median == pytest.approx(params.median_to_mean, rel=0.03)
    assert d1 == pytest.approx(params.d1_to_mean, rel=0.05)
    assert d9 == pytest.approx(params.d9_to_mean, rel=0.05)


def test_women_are_a_majority_of_retirees_as_in_drees(retirees, params):
    sex, age = retirees
    assert age.min() >= 55
    assert sex.mean() == pytest.approx(params.women_share, abs=0.04)


def test_aspa_amounts_by_date():
    assert aspa_amounts(2024, 1) == (1012.02, 1571.16)
    assert aspa_amounts(2024, 12) == (1012.02, 1571.16)
    assert aspa_amounts(2025, 1) == (1034.28, 1605.73)
    assert aspa_amounts(2030, 6) == (1034.28, 1605.73)
    assert aspa_amounts(2023, 12) == (1012.02, 1571.16)  # the first amount, deflated by aspa_indexed


def test_the_aspa_is_deflated_before_its_first_date():
    rate = load_legislation().indexation_rate
    assert aspa_indexed(2023, 12) == pytest.approx((1012.02 / (1 + rate), 1571.16 / (1 + rate)))
    assert aspa_indexed(2023, 1)[0] == pytest.approx(1012.02 / (1 + rate))
    assert aspa_indexed(2019, 1)[0] == pytest.approx(1012.02 / (1 + rate) ** 5)
    assert aspa_indexed(2024, 1) == (1012.02, 1571.16)


def test_the_aspa_floor_holds(drawn):
    single, couple = aspa_amounts(2025, 1)
    n = drawn.size // 3  # made-up households: odd ones are couples of two drawn retirees
    pensions = np.where(np.arange(n) % 2 == 1, drawn[:n] + drawn[n : 2 * n], drawn[:n])
    pair = np.arange(pensions.size) % 2 == 1
    eligible = np.arange(pensions.size) % 5 != 0
    top_up = aspa_top_up(pensions, pair, eligible, (single, couple))
    total = pensions + top_up
    assert np.all(top_up >= 0.0)
    assert np.all(total[eligible & ~pair] >= single - 1e-9)
    assert np.all(total[eligible & pair] >= couple - 1e-9)
    assert np.all(top_up[~eligible] == 0.0)
    above = eligible & ~pair & (pensions > single)
    assert np.all(top_up[above] == 0.0)
    share = (top_up[eligible & ~pair] > 0).mean()
    print(f"\nsingle eligible households topped up to the ASPA: {share:.1%}")


def test_same_uniforms_give_the_same_pensions(retirees, table, drawn):
    sex, _ = retirees
    u = SeedPlan.from_seed(11).replicate(0).generator("income.pensions").random(sex.size)
    assert np.array_equal(draw_pensions(u, sex, table), drawn)
    assert draw_pension(float(u[3]), int(sex[3]), table) == drawn[3]
    assert draw_pensions(0.5, 1, table)[0] == pytest.approx(table.median[1])


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda t: draw_pensions([0.5, 1.5], [0, 1], t), "u"),
        (lambda t: draw_pensions([0.5, np.nan], [0, 1], t), "u"),
        (lambda t: draw_pensions([0.5, 0.2], [0, 2], t), "sex"),
        (lambda t: draw_pensions([0.5, 0.2, 0.1], [0, 1], t), "sex"),
        (lambda t: aspa_top_up([-1.0], [0], [1], (1000.0, 1500.0)), "household_pensions"),
        (lambda t: aspa_top_up([100.0, 200.0], [0, 1, 1], [1], (1000.0, 1500.0)), "couple"),
        (lambda t: aspa_top_up([100.0], [0], [2], (1000.0, 1500.0)), "eligible"),
        (lambda t: aspa_top_up([100.0], [0], [1], (1500.0, 1000.0)), "amounts"),
        (lambda t: aspa_amounts(2025, 13), "month"),
        (lambda t: aspa_amounts("2025"), "year"),
    ],
)
def test_bad_input_raises_a_one_line_value_error(table, call, word):
    with pytest.raises(ValueError) as error:
        call(table)
    message = str(error.value)
    assert message.startswith(f"{word}:") and "\n" not in message


def test_every_parameter_is_documented(params):
    for path, value, unit, source, description in iter_parameters(params):
        assert unit and source and description, path
        assert value is not None, path
