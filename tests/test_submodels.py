"""Each mechanism on its own: kernels and submodels checked against what they must do."""

import numpy as np
import pytest

from ampsim.core.rng import month_key, uniform, uniforms
from ampsim.metrics import _gini
from ampsim.model import AMPModel
from ampsim.submodels.demography import DemographyParameters, monthly_death_probability
from ampsim.submodels.labour import (
    HireCounts,
    Openings,
    SearchTables,
    SeparationRates,
    hire_job_finders,
    separation_kernel,
)
from ampsim.submodels.startups import StartupParameters
from ampsim.world.income import _LOG_HIGH, _LOG_LOW, INCOME_BINS
from ampsim.world.income import histogram_quantiles as _quantiles
from ampsim.world.residents import (
    INCUMBENT,
    NO_EMPLOYER,
    NO_ZONE,
    Residents,
    Status,
    change_status,
    labour_defaults,
)


@pytest.fixture(scope="module")
def tiny():
    model = AMPModel(scale=0.01, seed=9, months=12, calibration_months=6)
    while model.running:
        model.step()
    yield model
    model.close()


# --- counter-based random numbers -------------------------------------------------------
def test_uniforms_are_uniform_independent_and_reproducible():
    key = month_key(np.uint64(42), 7)
    u = uniforms(key, np.arange(200_000), 0)
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01
    v = uniforms(key, np.arange(200_000), 1)
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.01
    assert uniform(key, 123, 0) == u[123]
    assert uniform(month_key(np.uint64(42), 8), 123, 0) != u[123]


# --- residents' status changes ---------------------------------------------------------
def test_a_status_change_restarts_its_duration_and_only_a_change_does():
    status = np.array([Status.EMPLOYED], dtype=np.uint8)
    months = np.array([40], dtype=np.uint8)
    change_status(0, Status.EMPLOYED, status, months)
    assert months[0] == 40
    change_status(0, Status.UNEMPLOYED, status, months)
    assert status[0] == Status.UNEMPLOYED and months[0] == 0


# --- labour market ----------------------------------------------------------------------
def _labour_arrays(n, status):
    """n residents of zone 0, aged 30, with the baccalauréat, all in `status` (the kernels' bundle)."""
    employed = status == Status.EMPLOYED
    arrays = {
        **labour_defaults(n),
        "zone": np.zeros(n, dtype=np.uint8),
        "home_cell": np.zeros(n, dtype=np.uint16),
        "household": np.arange(n, dtype=np.int32),
        "age_months": np.full(n, 30 * 12, dtype=np.uint16),
        "sex": np.zeros(n, dtype=np.uint8),
        "education": np.full(n, 2, dtype=np.uint8),
        "status": np.full(n, status, dtype=np.uint8),
        "income": np.full(n, 20_000.0, dtype=np.float32),
        "work_zone": np.full(n, 0 if employed else NO_ZONE, dtype=np.uint8),
        "employer": np.full(n, INCUMBENT if employed else NO_EMPLOYER, dtype=np.int32),
    }
    return Residents(weight=1.0, **arrays).kernel_view()


def test_separations_happen_at_the_set_rate_and_free_the_job():
    n = 100_000
    a = _labour_arrays(n, Status.EMPLOYED)
    rates = SeparationRates(0.01, 0.002, np.array([1.0, 1.0, 1.0]), np.ones(4))
    count = separation_kernel(month_key(np.uint64(1), 1), a, rates)
    assert abs(count / n - 0.012) < 0.002
    left = a.status != Status.EMPLOYED
    assert left.sum() == count
    assert np.all(a.employer[left] == NO_EMPLOYER) and np.all(a.work_zone[left] == NO_ZONE)
    assert abs((a.status == Status.INACTIVE).sum() / n - 0.002) < 0.001


def test_hiring_never_exceeds_vacancies_and_fills_startups():
    n = 5_000
    a = _labour_arrays(n, Status.UNEMPLOYED)
    incumbent_open = np.array([30, 0])
    startup_open = np.array([5, 0])
    search = SearchTables(np.ones(3), np.ones(4), 0.1, np.array([1.0, 1.3]), 0.7, np.ones(256))  # by mark
    openings = Openings(
        destination_cdf=np.array([[1.0, 1.0], [1.0, 1.0]]),  # everyone would take a job in zone 0
        incumbent_open=incumbent_open,
        startup_open_by_zone=startup_open.copy(),
        startup_preference=np.ones(4),
        startup_zone_start=np.array([0, 2, 2]),
        startup_ids=np.array([7, 8], dtype=np.int32),
        startup_open=np.array([3, 2]),
        cell_priority=np.array([True, False]),  # everyone lives in home cell 0, a QPV part
    )
    counts = HireCounts(
        np.zeros(2, dtype=np.int64),
        np.zeros(2),
        np.zeros(2, dtype=np.int64),
        np.zeros(2, dtype=np.int64),
        np.zeros(2),
        np.zeros(2),
    )
    hire_job_finders(month_key(np.uint64(2), 1), 17, a, search, np.array([5.0, 0.0]), openings, counts)
    assert counts.by_work_zone[0] == 35  # 30 incumbent positions and 5 startup positions, no more
    assert counts.by_startup.tolist() == [3, 2] and counts.priority_by_startup.tolist() == [3, 2]
    # the same hires from homes outside any QPV count none
    b = _labour_arrays(n, Status.UNEMPLOYED)
    elsewhere = openings._replace(
        incumbent_open=np.array([30, 0]),
        startup_open_by_zone=startup_open.copy(),
        startup_open=np.array([3, 2]),
        cell_priority=np.array([False, True]),
    )
    other = HireCounts(*(np.zeros_like(a) for a in counts))
    hire_job_finders(month_key(np.uint64(2), 1), 17, b, search, np.array([5.0, 0.0]), elsewhere, other)
    assert other.by_startup.tolist() == [3, 2] and other.priority_by_startup.tolist() == [0, 0]
    employed = a.status == Status.EMPLOYED
    assert employed.sum() == 35
    assert sorted(np.unique(a.employer[employed]).tolist()) == [INCUMBENT, 7, 8]


# --- demography ---------------------------------------------------------------------------
def test_mortality_gives_the_observed_life_expectancy():
    probability = monthly_death_probability(DemographyParameters())
    for sex, expected in ((0, 80.0), (1, 85.7)):
        survival = np.cumprod(np.repeat(1 - probability[sex], 12))
        assert abs(survival.sum() / 12 - expected) < 1.0


def test_demography_renews_the_population_at_observed_rates(tiny):
    rows = tiny.metrics.metro_rows
    assert len(rows) == 12
    births = sum(row["births"] for row in rows)
    deaths = sum(row["deaths"] for row in rows)
    # INSEE 2023: 9.9 births and 9.2 deaths per 1,000 residents (France); 12.6 and 9.1 in
    # Bouches-du-Rhône (2021); ~1.94 M residents here
    assert 0.7 * 9.9 * 1939 < births < 1.3 * 12.6 * 1939
    assert 0.6 * 9.2 * 1939 < deaths < 1.4 * 9.2 * 1939
    # the metropolis is open: the population moves, by the flows only
    flows = sum(row["births"] - row["deaths"] + row["net_migration"] for row in rows[1:])
    assert rows[-1]["population"] - rows[0]["population"] == pytest.approx(flows, abs=1e-6 * 1_939_077)


# --- startups -----------------------------------------------------------------------------
def test_startup_hazards_give_sixty_percent_alive_at_five_years():
    p = StartupParameters()
    survival = np.exp(-(36 * p.hazard_years_1_3 + 24 * p.hazard_years_4_5))
    assert 0.55 <= survival <= 0.62  # funding and incubation then raise it towards 60 %


# --- metrics ------------------------------------------------------------------------------
def test_histogram_median_and_gini_are_accurate():
    rng = np.random.default_rng(0)
    income = 20_000 * np.exp(0.5 * rng.standard_normal(200_000))
    bins = ((np.log(income) - _LOG_LOW) / (_LOG_HIGH - _LOG_LOW) * INCOME_BINS).astype(int)
    counts = np.bincount(bins, minlength=INCOME_BINS).astype(float)
    totals = np.bincount(bins, weights=income, minlength=INCOME_BINS)
    assert _quantiles(counts, [0.5])[0] == pytest.approx(np.median(income), rel=0.01)
    sorted_income = np.sort(income)
    exact = 1 - 2 * np.sum(np.cumsum(sorted_income) / sorted_income.sum()) / income.size + 1 / income.size
    assert _gini(counts, totals) == pytest.approx(exact, abs=0.005)


# --- housing ------------------------------------------------------------------------------
def test_destination_choice_keeps_income_mix_and_avoids_dear_zones(tiny):
    housing = tiny.housing
    cdf = housing.destination_cdf(tiny.housing.income_mix.counts)
    assert cdf.shape == (107, 5, 107)
    assert np.allclose(cdf[:, :, -1], 1.0)
    assert np.all(np.diff(cdf, axis=2) >= -1e-12)
    dear = np.ones(107)
    dear[3] = 2.0
    housing.rent, saved = dear, housing.rent
    try:
        probability = np.diff(housing.destination_cdf(tiny.housing.income_mix.counts), axis=2, prepend=0.0)
    finally:
        housing.rent = saved
    baseline = np.diff(cdf, axis=2, prepend=0.0)
    # the poorest quintile avoids the dearer zone much more than the richest
    assert probability[0, 0, 3] < 0.2 * baseline[0, 0, 3]
    assert probability[0, 4, 3] == pytest.approx(baseline[0, 4, 3], rel=0.05)


def _housing_state(housing) -> dict:
    """Copies of what a programme's homes change in the housing submodel, to put back."""
    names = ("amenity", "capacity", "rent", "_absorbed", "lodged_fewer", "crowded_out")
    names += ("_construction",)
    return {name: np.copy(getattr(housing, name)) for name in names}


def _restore(housing, state: dict) -> None:
    for name, value in state.items():
        setattr(housing, name, value if np.ndim(value) else float(value))


def test_rents_rise_with_amenity_and_fall_with_new_housing(tiny):
    housing = tiny.housing
    saved = _housing_state(housing)
    try:
        housing.amenity[5] = 1.3
        housing.add_housing(6, int(housing.capacity[6] * 0.5) + 1)
        for _ in range(60):
            housing.update_rents(tiny.labour.job_access())
        assert housing.rent[5] > 1.2
        assert housing.rent[6] < 0.9
    finally:
        _restore(housing, saved)


def test_a_programmes_homes_add_to_the_metros_room_only_their_net_share(tiny):
    housing = tiny.housing
    saved, params = _housing_state(housing), housing.params
    try:
        housing.params = params.model_copy(update={"construction_rate": 0.0})  # no other building
        housing.crowded_out = 0.0
        before = housing.capacity.copy()
        housing.add_housing(6, 1000)
        housing.build()
        share = params.new_home_net_residents
        change = housing.capacity - before
        others = np.delete(change, 6)
        assert change[6] == 1000  # the homes are there, for 2.1 people each
        # their occupants come mostly from the existing stock, which lodges that many fewer
        assert np.all(others <= 0) and abs(others.sum() + (1 - share) * 1000) < others.size
        assert abs(change.sum() - share * 1000) < others.size  # the metro's room grows by the net share
        assert housing.crowded_out == pytest.approx(share * 1000 * params.programme_crowd_out)
        assert np.array_equal(housing.dwellings() - before, np.where(np.arange(before.size) == 6, 1000, 0))
    finally:
        housing.params = params
        _restore(housing, saved)


# --- commuting ----------------------------------------------------------------------------
def test_mode_choice_is_calibrated_and_responds_to_transit(tiny):
    commuting = tiny.commuting
    commuting.calibrate_intercept(tiny)
    r = tiny.residents
    workers = np.flatnonzero((r.status == Status.EMPLOYED) & (r.work_zone != NO_ZONE))  # not out-commuters
    utility = commuting._utility_without_intercept(tiny, workers) + commuting.intercept
    assert np.mean(1 / (1 + np.exp(-utility))) == pytest.approx(0.753, abs=1e-6)
    commuting.transit_bonus[:] = 1.0
    try:
        lower = commuting._utility_without_intercept(tiny, workers) + commuting.intercept
        assert np.mean(1 / (1 + np.exp(-lower))) < 0.65
    finally:
        commuting.transit_bonus[:] = 0.0


# --- incubators ---------------------------------------------------------------------------
def test_incubators_respect_capacity_and_sector_focus(tiny):
    for incubator in tiny.incubators.agents:
        assert len(incubator.residents) <= incubator.capacity
        for startup in incubator.residents:
            assert not incubator.sectors or startup.sector in incubator.sectors
            assert startup.incubator is incubator


# --- startups -------------------------------------------------------------------------------
def test_a_closed_startup_leaves_the_model_even_when_something_still_references_it(monkeypatch):
    """The sector's set holds weak references: a closed startup kept alive elsewhere (Dask's
    profiler samples the frames of a running task) must not stay in it and be stepped again."""
    from ampsim.submodels.startups.agents import Startup

    held = []
    remove = Startup.remove
    monkeypatch.setattr(Startup, "remove", lambda startup: (held.append(startup), remove(startup)))
    model = AMPModel(scale=0.01, seed=9, months=3, calibration_months=2)
    try:
        while model.running:
            model.step()
        registry = model.startups.registry
        assert held, "no startup closed or graduated: the test would not see a leftover"
        assert all(registry[s.number - 1]["end"] is None for s in model.startups.agents)
        assert len(model.startups.agents) == sum(row["end"] is None for row in registry)
    finally:
        model.close()
