"""The model: invariants of each submodel, reproducibility, Mesa integration, calibration."""

import hashlib

import mesa
import numpy as np
import pandas as pd
import pytest

from ampsim.core.errors import InputError
from ampsim.indicators import METRO_NAMES, ZONE_NAMES
from ampsim.model import STATE_BUDGET_BYTES, AMPModel
from ampsim.reports.run import write_run
from ampsim.studies.runner import RunResult, collect_result, run_scenario
from ampsim.world.residents import INCUMBENT, NO_EMPLOYER, NO_ZONE, OUTSIDE, Status


@pytest.fixture(scope="module")
def model():
    """A small baseline after 24 months, checked month by month on the way."""
    model = AMPModel(scale=0.03, seed=5, months=24)
    model.checks = []
    r = model.residents
    model.initial_zone_population = np.bincount(r.zone[r.present()], minlength=model.territory.n_zones)
    while model.running:
        before = r.n_present
        model.step()
        labour = model.labour
        demography, migration = model.demography, model.migration
        model.checks.append(
            {
                "residents": (before, r.n_present),
                "flows": (
                    int(demography.births_by_zone.sum()),
                    int(demography.deaths_by_zone.sum()),
                    int(migration.arrivals_by_zone.sum()),
                    int(migration.departures_by_zone.sum()),
                ),
                "slots": r.n,
                "hires": labour.hires_by_zone.copy(),
                "vacancies": labour.vacancies_by_zone.copy(),
                "posted": labour.posted_by_zone.copy(),
                "no2": model.pollution.no2.copy(),
                "pm25": model.pollution.pm25.copy(),
                "pm10": model.pollution.pm10.copy(),
            }
        )
    yield model
    model.close()


def test_the_step_runs_the_whole_horizon(model):
    assert model.month == 24
    assert not model.running
    assert len(model.metrics.metro_rows) == 24
    assert model.metrics.metro_rows[0]["date"] == "2026-01"
    assert model.metrics.metro_rows[-1]["date"] == "2027-12"


def test_model_state_per_resident_stays_within_its_budget(model):
    """Resident arrays, household table and income state after two years of births, arrivals and
    new households."""
    r, incomes = model.residents, model.incomes
    income_arrays = (*incomes.state, incomes.previous_status, incomes.tenure, incomes.living)
    counted = r.nbytes + model.households.nbytes + sum(a.nbytes for a in income_arrays)
    assert model.state_bytes_per_resident() == pytest.approx(counted / r.n_present)
    assert 64 < model.state_bytes_per_resident() <= STATE_BUDGET_BYTES


def test_people_are_accounted_for(model):
    # the population changes only by births, deaths, arrivals and departures; the arrays never move
    for check in model.checks:
        (before, after), (births, deaths, arrivals, departures) = check["residents"], check["flows"]
        assert after - before == births - deaths + arrivals - departures
        assert check["slots"] == model.residents.n
    assert sum(c["flows"][2] for c in model.checks) > 0 and sum(c["flows"][3] for c in model.checks) > 0
    # households move whole, so a zone exceeds its capacity only when no zone has room for a whole
    # moving household, and then by less than that household's size; arrivals never exceed it
    r = model.residents
    zone_population = np.bincount(r.zone[r.present()], minlength=model.territory.n_zones)
    largest = int(model.households.arrays().size.max())
    assert np.all(zone_population < model.housing.capacity + largest)
    assert np.all(np.isin(r.status, [int(s) for s in Status]))
    free = ~r.present()
    assert np.all(r.household[free] < 0) and np.all(r.employer[free] == NO_EMPLOYER)


def test_jobs_and_statuses_are_consistent(model):
    r = model.residents
    employed = r.status == Status.EMPLOYED
    outside = employed & (r.employer == OUTSIDE)  # out-commuters: employed, with no work zone here
    assert 0 < outside.sum() < employed.sum()
    assert np.all(r.work_zone[outside] == NO_ZONE)
    assert np.all(r.work_zone[employed & ~outside] < model.territory.n_zones)
    assert np.all(r.employer[employed] != NO_EMPLOYER)
    assert np.all(r.car[outside] == 0)
    assert np.all(r.employer[~employed] == NO_EMPLOYER)
    assert np.all(r.work_zone[~employed] == NO_ZONE)
    assert np.all(r.car[~employed] == 0)
    assert np.all(r.status[r.present() & (r.age_months // 12 >= 65)] == Status.RETIRED)


def test_hires_never_exceed_vacancies(model):
    for check in model.checks:
        assert np.all(check["hires"] <= check["posted"])  # whole vacancies on offer
        # they are the expected (fractional) vacancies rounded one way or the other
        assert np.all(check["posted"] <= np.floor(check["vacancies"]) + 1)
        assert check["hires"].sum() > 0


def test_startup_staff_is_never_negative_and_matches_the_residents(model):
    counts = np.bincount(
        model.residents.employer[model.residents.employer > INCUMBENT],
        minlength=model.startups.next_number,
    )
    assert len(model.startups.agents) > 0
    for startup in model.startups.agents:
        assert startup.simulated_staff == counts[startup.number]
        assert startup.outside_staff >= 0
        assert startup.employees == startup.simulated_staff + startup.outside_staff <= startup.size
        assert startup.desired_size >= 1
        assert startup.open_positions >= 0 and startup.open_outside_positions >= 0


def test_concentrations_are_finite_and_non_negative(model):
    for check in model.checks:
        for pollutant in ("no2", "pm10", "pm25"):
            field = check[pollutant]
            assert np.all(np.isfinite(field)) and field.min() >= 0
    assert np.all(np.isfinite(model.residents.exposure_no2))
    assert model.residents.exposure_pm25[model.residents.present()].min() > 0


def test_rates_are_percentages(model):
    rates = (
        "unemployment_rate",
        "youth_unemployment_rate",
        "neet_share",
        "poverty_rate",
        "car_share",
        "long_term_unemployment_share",
    )
    for row in model.metrics.metro_rows:
        for name in rates:
            assert 0 <= row[name] <= 100, name
    for table in model.metrics.zone_rows:
        assert np.all((table[:, 1:5] >= 0) & (table[:, 1:5] <= 100))


def test_metro_figures_are_in_real_population_units(model):
    last = model.metrics.metro_rows[-1]
    r = model.residents
    assert last["population"] == pytest.approx(r.n_present * r.weight, rel=1e-9)
    assert last["population"] == pytest.approx(1_939_077, rel=0.01)  # open, but two years from the census
    assert 500 < last["startups_alive"] < 1500


def test_the_metrics_produce_exactly_the_catalogue_of_indicators(model):
    row = model.metrics.metro_rows[-1]
    calendar = ("month", "date", "year")
    produced = {name for name in row if name not in calendar and not name.startswith("spent_")}
    assert produced == set(METRO_NAMES)
    assert model.metrics.zone_rows[-1].shape[1] == len(ZONE_NAMES)


def test_datacollector_holds_the_metro_series(model):
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 24
    assert set(METRO_NAMES) <= set(frame.columns)
    expected = [row["unemployment_rate"] for row in model.metrics.metro_rows]
    assert frame["unemployment_rate"].tolist() == expected


def test_metro_unemployment_stays_calibrated(model):
    for row in model.metrics.metro_rows:
        if row["date"].endswith("-12"):
            assert abs(row["unemployment_rate"] - 12.1) <= 1.5, row["date"]
            assert 18 <= row["youth_unemployment_rate"] <= 30, row["date"]


def _parquet_digests(result: RunResult, directory) -> dict[str, str]:
    result.write(directory)
    return {
        name: hashlib.sha256((directory / f"{name}.parquet").read_bytes()).hexdigest()
        for name in ("metro", "zones", "stations", "startups")
    }


def test_same_seed_gives_byte_identical_parquet(tmp_path):
    first = _parquet_digests(run_scenario(scale=0.01, seed=3, months=6), tmp_path / "a")
    again = _parquet_digests(run_scenario(scale=0.01, seed=3, months=6), tmp_path / "b")
    other = _parquet_digests(run_scenario(scale=0.01, seed=4, months=6), tmp_path / "c")
    assert first == again
    assert first["metro"] != other["metro"] and first["zones"] != other["zones"]


def test_run_result_round_trip(tmp_path):
    result = run_scenario(scale=0.01, seed=2, months=3)
    write_run(result, tmp_path / "run")
    back = RunResult.read(tmp_path / "run")
    pd.testing.assert_frame_equal(back.metro, result.metro)
    assert back.metadata["seed_entropy"] == 2
    assert len(back.zones) == 3 * 107
    assert {"metro_series.png", "map_unemployment.png", "map_no2.png"} <= {
        p.name for p in (tmp_path / "run").iterdir()
    }
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".run")]  # no staging left


def test_mesa_batch_run_runs_the_model():
    results = mesa.batch_run(
        AMPModel,
        parameters={"scale": 0.01, "seed": [1, 2], "months": 3, "calibration_months": 6},
        number_processes=1,
        iterations=1,
        max_steps=3,
        data_collection_period=1,
        display_progress=False,
    )
    frame = pd.DataFrame(results)
    assert set(frame["seed"]) == {1, 2}
    assert frame.groupby("seed").size().tolist() == [3, 3]  # one row per simulated month
    assert frame["unemployment_rate"].between(0, 100).all()


def test_bad_model_arguments_are_reported():
    with pytest.raises(InputError, match="scale"):
        AMPModel(scale=2.0)
    with pytest.raises(InputError, match="months"):
        AMPModel(scale=0.01, months=0)
    with pytest.raises(InputError, match="start"):
        AMPModel(scale=0.01, start="2026-13")
    with pytest.raises(InputError, match=r"labour\.matching_elasticity"):
        AMPModel({"labour": {"matching_elasticity": 2.0}}, scale=0.01)


def test_collect_result_tables_are_tidy(model):
    result = collect_result(model)
    assert list(result.zones.columns[:4]) == ["month", "date", "code", "zone"]
    assert len(result.zones) == 24 * 107
    assert result.stations["station"].nunique() == 23
    assert set(result.startups["end"]) <= {"alive", "closed", "graduated"}
