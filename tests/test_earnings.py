"""Earnings of jobs: the fit to INSEE's diploma x experience medians, the FTE deciles, part time,
the SMIC floor and path, determinism and input checks. Run with -s to see the fitted figures."""

import itertools
import math

import numpy as np
import pytest
from numba import njit, prange
from pydantic import ValidationError
from scipy.special import ndtri

from ampsim.core.parameters import iter_parameters
from ampsim.core.rng import normal_quantile, uniform
from ampsim.core.seeds import SeedPlan
from ampsim.submodels.income import earnings as em
from ampsim.world.population import synthesise_population
from ampsim.world.residents import Status

PUBLISHED_FTE = {"D1": 1436.0, "median": 2091.0, "D9": 4162.0}  # Insee Première 1971, 2022
PUBLISHED_FTE_MEAN = 2630.0
BAND_NAMES = ("1-4 y", "5-10 y", "11+ y")


@pytest.fixture(scope="module")
def params():
    return em.EarningsParameters()


@pytest.fixture(scope="module")
def table(params):
    return em.build_earnings_table(params)


@pytest.fixture(scope="module")
def workforce(territory):
    """Employed residents of a synthetic population at scale 0.05, with two uniforms each."""
    residents = synthesise_population(territory, 0.05, SeedPlan.from_seed(11).replicate(0))
    employed = residents.status == Status.EMPLOYED
    rng = np.random.default_rng(2024)
    n = int(employed.sum())
    return {
        "education": residents.education[employed],
        "age": residents.age_months[employed] / 12.0,
        "sex": residents.sex[employed],
        "u_level": rng.random(n),
        "u_part_time": rng.random(n),
        "startup": np.zeros(n, dtype=bool),
    }


def _draw(workforce, table):
    w = workforce
    person = (w["education"], w["age"], w["sex"])
    pay = em.draw_earnings(w["u_level"], w["u_part_time"], *person, w["startup"], table)
    hours = em.hours_shares(w["u_part_time"], *person, table)
    return pay, hours


@pytest.fixture(scope="module")
def drawn(workforce, table):
    return _draw(workforce, table)


def _bands(workforce, table):
    years = np.maximum(workforce["age"] - table.leaving_age[workforce["education"]], 0.0)
    return np.digitize(years, em.BAND_EDGES) - 1  # -1: less than a year since school


def test_cell_medians_match_the_insee_table(workforce, table, params, drawn):
    pay, _ = drawn
    band = _bands(workforce, table)
    targets = em.target_medians(params)
    floor = params.reference_net_smic
    print(f"\nmedian pay, all working times (model / published, EUR/month); floor {floor:.0f}")
    failures = []
    for education in range(em.N_EDUCATION):
        row = []
        for b in range(em.N_BANDS):
            cell = pay[(workforce["education"] == education) & (band == b)]
            model, published = float(np.median(cell)), float(targets[education, b])
            # a published median below the full-time SMIC cannot be met above the floor: there
            # the model's cell is compared with the floor (see docs/EARNINGS.md)
            expected = max(published, floor)
            gap = model / published - 1
            row.append(f"{BAND_NAMES[b]} {model:6.0f}/{published:4.0f} ({gap:+.1%}, n={cell.size})")
            if abs(model / expected - 1) > 0.05:
                failures.append((education, b, model, expected))
        print(f"  diploma {education}: " + "; ".join(row))
    assert not failures, failures


def test_fte_deciles_match_the_private_sector_distribution(drawn):
    pay, hours = drawn
    fte = pay / hours
    model = dict(zip(PUBLISHED_FTE, np.percentile(fte, [10, 50, 90]), strict=True))
    print(
        "\nFTE pay (model / published 2022): "
        + ", ".join(f"{k} {model[k]:.0f}/{v:.0f} ({model[k] / v - 1:+.1%})" for k, v in PUBLISHED_FTE.items())
        + f", mean {fte.mean():.0f}/{PUBLISHED_FTE_MEAN:.0f}"
    )
    for key, published in PUBLISHED_FTE.items():
        assert abs(model[key] / published - 1) <= 0.07, (key, model[key], published)


def test_part_time_shares(workforce, drawn):
    _, hours = drawn
    part = hours < 1.0
    age, sex = workforce["age"], workforce["sex"]
    shares = {
        "all": (part.mean(), 0.174),
        "women": (part[sex == 1].mean(), 0.266),
        "men": (part[sex == 0].mean(), 0.078),
        "15-24": (part[age < 25].mean(), 0.26),
        "55+": (part[age >= 55].mean(), 0.248),
    }
    shown = ", ".join(f"{k} {m:.1%}/{p:.1%}" for k, (m, p) in shares.items())
    print(f"\npart time (model / published): {shown}")
    print(f"mean hours of part-timers: {hours[part].mean():.3f} of full time")
    assert abs(shares["all"][0] - 0.174) <= 0.02
    for key, (model, published) in shares.items():
        assert abs(model - published) <= 0.05, key  # subgroups: looser, the risks multiply


def test_women_earn_about_14_percent_less(workforce, drawn):
    pay, hours = drawn
    fte, sex = pay / hours, workforce["sex"]
    gap = 1 - fte[sex == 1].mean() / fte[sex == 0].mean()
    print(f"\nmean FTE gap women/men: {gap:.1%} (published 14.1 %)")
    assert abs(gap - 0.141) <= 0.02


def test_nobody_is_paid_below_the_hourly_smic(workforce, table, params, drawn):
    pay, hours = drawn
    assert np.all(pay >= hours * table.net_smic * (1 - 1e-12))
    later = em.table_at(table, params, 2026, 6)
    pay_later, _ = _draw(workforce, later)
    assert np.all(pay_later >= hours * later.net_smic * (1 - 1e-12))
    at_floor = np.isclose(pay / hours, table.net_smic)
    print(f"\nshare of jobs at the SMIC (FTE): {at_floor.mean():.1%}")
    # levels and the floor follow the SMIC's path
    assert np.allclose(pay_later, pay * later.level_index)


def test_net_smic_follows_the_legislation():
    assert em.net_smic(2024, 1) == pytest.approx(1398.69, abs=0.2)
    assert em.net_smic(2024, 11) == pytest.approx(1426.30, abs=0.2)
    assert em.net_smic(2025, 6) == pytest.approx(1426.30, abs=0.2)
    path = [em.net_smic(year, 7) for year in range(2024, 2041)]
    assert all(b >= a for a, b in itertools.pairwise(path)) and path[-1] > path[2] * 1.1
    print(
        f"\nnet SMIC: 2024-11 {em.net_smic(2024, 11):.2f}, 2026-06 {em.net_smic(2026, 6):.2f}, "
        f"2030-07 {em.net_smic(2030, 7):.2f}, 2040-07 {em.net_smic(2040, 7):.2f}"
    )


def test_career_growth_follows_the_profile(table):
    print("\nmonthly career growth (%/month) by diploma, bands [0, 8) and [8, 11) years; 0 after")
    for education in range(em.N_EDUCATION):
        rates = [em.career_growth_rate(education, y, table) for y in (2.0, 9.0, 20.0)]
        print(f"  diploma {education}: " + ", ".join(f"{100 * r:.3f}" for r in rates))
        assert rates[2] == 0.0
        # growing month by month from the first knot reaches the last knot's level
        log_pay = em.log_fte_median(education, table.knots[0], table)
        for month in range(round(12 * (table.knots[2] - table.knots[0]))):
            log_pay += em.career_growth_rate(education, table.knots[0] + (month + 0.5) / 12, table)
        assert log_pay == pytest.approx(table.log_level[education, 2], abs=1e-9)
    factors = em.monthly_growth_factors(np.array([3, 3]), np.array([25.0, 50.0]), table)
    assert factors[0] > 1.0 and factors[1] == 1.0


def test_same_uniforms_give_the_same_pay(workforce, table, drawn):
    again, _ = _draw(workforce, table)
    assert np.array_equal(again, drawn[0])
    w, i = workforce, 123
    person = (int(w["education"][i]), w["age"][i], int(w["sex"][i]))
    scalar = em.draw_job_earnings(w["u_level"][i], w["u_part_time"][i], *person, False, table)
    assert scalar == drawn[0][i]


@njit(parallel=True)
def _hire_all(key, education, age, sex, table, out):
    """A hiring kernel as the model would write it: counter-based uniforms, inside prange."""
    for i in prange(out.size):
        out[i] = em.draw_job_earnings(
            uniform(key, i, 0), uniform(key, i, 1), education[i], age[i], sex[i], False, table
        )


def test_draw_runs_in_a_parallel_counter_based_kernel(workforce, table):
    w = workforce
    n = w["education"].size
    key = np.uint64(12345)
    education, sex = w["education"].astype(np.int64), w["sex"].astype(np.int64)
    out = np.empty(n)
    _hire_all(key, education, w["age"], sex, table, out)
    u1 = np.array([uniform(key, i, 0) for i in range(n)])
    u2 = np.array([uniform(key, i, 1) for i in range(n)])
    assert np.array_equal(out, em.draw_earnings(u1, u2, education, w["age"], sex, False, table))


def test_startup_factor_scales_pay_above_the_floor(params):
    table = em.build_earnings_table(params.model_copy(update={"startup_pay_factor": 1.2}))
    u = np.full(3, 0.9)
    args = (u, np.ones(3) * 0.99, np.array([3, 3, 3]), np.array([40.0] * 3), np.zeros(3))
    established = em.draw_earnings(*args, np.zeros(3, bool), table)
    startup = em.draw_earnings(*args, np.ones(3, bool), table)
    assert np.allclose(startup, 1.2 * established)


def test_normal_quantile_matches_scipy():
    u = np.concatenate([np.linspace(1e-9, 1 - 1e-9, 20001), [1e-6, 0.02, 0.03, 0.97, 0.98]])
    error = max(abs(normal_quantile(x) - ndtri(x)) for x in u)
    assert error < 1e-7
    assert math.isfinite(normal_quantile(0.0)) and math.isfinite(normal_quantile(1.0))


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"education": [4]}, "education"),
        ({"education": [1.5]}, "education"),
        ({"sex": [2]}, "sex"),
        ({"u_level": [1.5]}, "u_level"),
        ({"u_part_time": [-0.1]}, "u_part_time"),
        ({"age_years": [float("nan")]}, "age_years"),
        ({"age_years": [30.0, 40.0, 50.0]}, "age_years"),
    ],
)
def test_bad_input_raises_a_one_line_value_error(table, change, word):
    args = {
        "u_level": [0.5, 0.5],
        "u_part_time": [0.5, 0.5],
        "education": [1, 2],
        "age_years": [30.0, 40.0],
        "sex": [0, 1],
        "startup": [False, True],
    }
    args.update(change)
    with pytest.raises(ValueError, match=word) as error:
        em.draw_earnings(**{k: np.asarray(v) for k, v in args.items()}, table=table)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(("year", "month"), [(2018, 12), (2101, 1), (2025, 13), (2025.5, 1)])
def test_bad_month_raises_a_one_line_value_error(year, month):
    with pytest.raises(ValueError, match=r"year|month") as error:
        em.net_smic(year, month)
    assert "\n" not in str(error.value)


def test_every_parameter_is_documented_and_bounded(params):
    rows = list(iter_parameters(params))
    assert len(rows) >= 20
    for path, value, unit, source, description in rows:
        assert value is not None and unit and source and description, path
    for name, value in params.model_dump().items():
        bad = (1e12, *value[1:]) if isinstance(value, tuple) else 1e12
        with pytest.raises(ValidationError):
            em.EarningsParameters(**{name: bad})
