"""The air's structure: NO-NO2-O3 titration, exhaust and non-exhaust road PM, SO2, the steelworks'
ground-level dust, emissions that follow the residents, the street of a traffic station, the
trends from 2019, and the 2019 PM10 fit of `ampsim run --start 2019-01 --months 12`."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from ampsim.studies.air_calibration import calibration_stations, reference_car_km
from ampsim.submodels.pollution import PollutionModel, PollutionParameters, station_table
from ampsim.submodels.pollution.chemistry import nox_for_no2, partition

YEAR = 2023.0


@pytest.fixture(scope="module")
def car_km(territory):
    return reference_car_km(territory)


@pytest.fixture()
def model(territory):
    return PollutionModel.over(territory)


def marseille_cells(territory):
    return np.flatnonzero(np.isin(territory.grid.zone_of_cell.ravel(), territory.select("Marseille")))


def cells_near(territory, x_km, y_km, radius_km):
    grid = territory.grid
    cx = grid.x0_km + (np.arange(grid.nx) + 0.5) * grid.cell_km
    cy = grid.y0_km + (np.arange(grid.ny) + 0.5) * grid.cell_km
    return np.flatnonzero(np.hypot(cx[None, :] - x_km, cy[:, None] - y_km).ravel() < radius_km)


# --- chemistry ---------------------------------------------------------------------------


def test_partition_conserves_nitrogen_and_oxidant_and_titrates_ozone():
    nox = np.array([0.0, 10.0, 50.0, 150.0, 400.0])
    no2, o3 = partition(nox, 70.0, 0.15, 20.0)
    assert no2[0] == 0.0 and o3[0] == pytest.approx(70.0)
    assert np.all(no2 <= nox + 1e-12) and np.all(o3 >= 0)
    assert np.all(np.diff(no2) > 0) and np.all(np.diff(o3) < 0)  # more NOx: more NO2, less ozone
    assert np.all(np.diff(no2 / np.maximum(nox, 1e-9))[1:] < 0)  # NO2/NOx falls near the sources
    oxidant_ppb = no2 / 1.88 + o3 / 2.0
    assert oxidant_ppb == pytest.approx(35.0 + 0.15 * nox / 1.88)


def test_the_background_nox_gives_back_the_background_no2():
    for no2 in (2.0, 7.0, 20.0):
        nox = nox_for_no2(no2, 70.0, 0.15, 20.0)
        assert partition(np.array([nox]), 70.0, 0.15, 20.0)[0][0] == pytest.approx(no2)
    with pytest.raises(ValueError, match="background NO2"):
        nox_for_no2(80.0, 70.0, 0.15, 20.0)


def test_cutting_marseille_traffic_raises_its_ozone_and_lowers_no2_less_than_nox(model, territory, car_km):
    cells = marseille_cells(territory)
    model.update(6, 7, YEAR, car_km)
    before = model.at_cells(cells)
    model.road_emission_scale_by_zone[territory.select("Marseille")] = 0.5
    model.update(6, 7, YEAR, car_km)
    after = model.at_cells(cells)
    core = np.argsort(before["NOx"])[-10:]  # the busiest cells gain the most ozone
    gain = after["O3"] - before["O3"]
    assert gain.mean() > 0.5 and np.all(gain[core] > 1.0) and gain[core].mean() > 2 * gain.mean()
    nox_cut = 1 - after["NOx"].mean() / before["NOx"].mean()
    no2_cut = 1 - after["NO2"].mean() / before["NO2"].mean()
    assert 0 < no2_cut < nox_cut


# --- road particles ------------------------------------------------------------------------


def test_a_cleaner_fleet_cuts_exhaust_particles_only(model, territory, car_km):
    cells = marseille_cells(territory)
    zones = territory.select("Marseille")
    model.update(0, 1, YEAR, car_km)
    base = model.at_cells(cells)["PM10"].mean()
    model.scale_fleet_emissions(zones, 1.0, 0.0)  # no exhaust particles at all
    model.update(0, 1, YEAR, car_km)
    no_exhaust = model.at_cells(cells)["PM10"].mean()
    model.road_exhaust_factor_by_zone[:] = 1.0
    model.road_emission_scale_by_zone[zones] = 0.0  # no traffic at all
    model.update(0, 1, YEAR, car_km)
    no_traffic = model.at_cells(cells)["PM10"].mean()
    assert no_traffic < no_exhaust < base
    assert base - no_exhaust < 0.5 * (base - no_traffic)  # wear and resuspension are the larger part


def test_exhaust_particles_fall_with_fleet_renewal_and_wear_does_not(model, car_km):
    model.update(0, 5, 2019.0, car_km)
    nox_2019, exhaust_2019, wear_2019, _ = model.factors
    model.update(0, 5, 2026.0, car_km)
    nox_2026, exhaust_2026, wear_2026, _ = model.factors
    assert exhaust_2026 < 0.6 * exhaust_2019 and nox_2026 < nox_2019
    assert wear_2026 == wear_2019


# --- industry, shipping, SO2 ---------------------------------------------------------------


def test_so2_comes_from_the_industry_and_the_ports(model, territory, car_km):
    sources = model.sources.set_index("name")
    model.update(0, 3, YEAR, car_km)
    fos = cells_near(
        territory, sources.loc["fos_steelworks", "x_km"], sources.loc["fos_steelworks", "y_km"], 8
    )
    aix = territory.grid.cell_flat[territory.grid.cells_of_zone(territory.zone_index("Aix-en-Provence"))]
    so2 = model.so2.ravel()
    assert so2[fos].mean() > 3 * so2[aix].mean()
    assert so2[aix].mean() < model.params.background_so2 + 1.0


def test_shipping_burnt_more_sulphur_before_2020(model, territory, car_km):
    joliette = model.sources.set_index("name").loc["marseille_port_joliette"]
    port = cells_near(territory, joliette.x_km, joliette.y_km, 1.0)
    model.update(0, 3, 2019.5, car_km)
    before = model.so2.ravel()[port].mean() - model.params.background_so2
    model.update(0, 3, 2020.5, car_km)
    after = model.so2.ravel()[port].mean() - model.params.background_so2
    assert before > 1.3 * after > 0


def test_the_steelworks_ground_dust_reaches_fos_les_carabins(territory, car_km):
    carabins = station_table().set_index("name").loc["Fos Les Carabins"]

    def carabins_pm10(model):
        model.update(0, 6, YEAR, car_km)
        return model.at_points(np.array([carabins.x_km]), np.array([carabins.y_km]))["PM10"][0]

    full = PollutionModel.over(territory)
    without = PollutionModel.over(territory)
    without.point_source_scale["fos_steelworks_fugitive"] = 0.0
    stacks_only_drop = carabins_pm10(full) - carabins_pm10(without)
    assert stacks_only_drop > 1.0
    full.update(0, 6, YEAR, car_km)
    assert carabins_pm10(full) > full.background(6, YEAR)["PM10"] + 2.0


# --- emissions that follow the residents ------------------------------------------------


def test_heating_and_other_traffic_follow_where_residents_live(model, territory, car_km):
    grid = territory.grid
    zone = territory.zone_index("Marseille 4e")
    cells = grid.cell_flat[grid.cells_of_zone(zone)]
    model.update(0, 1, YEAR, car_km)
    census = model.at_cells(cells)
    people = model.census_people.copy()
    people[cells] *= 2.0
    model.update(0, 1, YEAR, car_km, people=people)
    more = model.at_cells(cells)
    assert more["PM10"].mean() > census["PM10"].mean() + 0.5
    assert more["NOx"].mean() > census["NOx"].mean() + 5.0
    assert model.population_weighted()["NO2"] > 0
    with pytest.raises(ValueError, match="people: expected shape"):
        model.update(0, 1, YEAR, car_km, people=people[:10])


def test_wood_heating_weighs_less_per_resident_in_dense_cells(model, car_km):
    model.update(0, 1, YEAR, car_km)
    share = model._wood_share()
    dense, sparse = model.people > 10_000, (model.people > 100) & (model.people < 1_000)
    assert share[dense].max() < share[sparse].min()
    assert float(model.people @ share) == pytest.approx(float(model.people.sum()))


# --- the street of a traffic station --------------------------------------------------------


def test_a_street_follows_its_zone_traffic_and_fleet(model, territory, car_km):
    rabatau = station_table().set_index("name").loc["Marseille Rabatau"]
    x, y, street = np.array([rabatau.x_km]), np.array([rabatau.y_km]), np.array(["arterial"], dtype=object)
    model.update(0, 1, YEAR, car_km)
    base = model.roadside_increment(x, y, street)
    zone = territory.zone_index("Marseille 8e")
    model.road_emission_scale_by_zone[zone] = 0.5
    model.update(1, 1, YEAR, car_km)  # a later month: the street keeps the start's traffic as nominal
    half = model.roadside_increment(x, y, street)
    assert half["NOx"][0] == pytest.approx(0.5 * base["NOx"][0], rel=0.02)
    model.road_emission_scale_by_zone[zone] = 1.0
    model.road_exhaust_factor_by_zone[zone] = 0.0
    model.update(1, 1, YEAR, car_km)
    clean = model.roadside_increment(x, y, street)
    assert clean["NOx"][0] == pytest.approx(base["NOx"][0])
    assert 0.6 * base["PM10"][0] < clean["PM10"][0] < base["PM10"][0]
    streets = np.array(["motorway", "arterial", "boulevard", "street"], dtype=object)
    kinds = model.roadside_increment(np.repeat(x, 4), np.repeat(y, 4), streets)["NOx"]
    assert np.all(kinds > 0) and kinds.argmin() == 3  # a local street adds least
    assert model.roadside_increment(x, y, np.array([""], dtype=object))["NOx"][0] == 0.0


def test_calm_months_raise_the_street_increment(model, car_km):
    rabatau = station_table().set_index("name").loc["Marseille Rabatau"]
    x, y, street = np.array([rabatau.x_km]), np.array([rabatau.y_km]), np.array(["arterial"], dtype=object)
    model.update(0, 12, YEAR, car_km)
    december = model.roadside_increment(x, y, street)["PM10"][0]
    model.update(0, 7, YEAR, car_km)
    july = model.roadside_increment(x, y, street)["PM10"][0]
    assert december > 1.2 * july


# --- the start year and the 2019 fit ---------------------------------------------------------


def test_2019_air_is_dirtier_than_2023(model, car_km):
    b2019, b2023 = model.background(1, 2019.0), model.background(1, 2023.0)
    for name in ("NO2", "PM10", "PM2.5"):
        assert b2019[name] > b2023[name]
    model.update(0, 1, 2019.0, car_km)
    pm_2019 = model.pm10.copy()
    model.update(0, 1, 2023.0, car_km)
    assert np.all(pm_2019 > model.pm10)


@pytest.fixture(scope="module")
def run_2019(tmp_path_factory):
    """The acceptance run: `ampsim run --start 2019-01 --months 12` at the baseline's scale."""
    out = tmp_path_factory.mktemp("run2019") / "run"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ampsim",
            "run",
            "--start",
            "2019-01",
            "--months",
            "12",
            "--quiet",
            "--no-charts",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    readings = pd.read_parquet(out / "stations.parquet")
    assert readings["date"].min() == "2019-01" and readings["date"].max() == "2019-12"
    table = station_table()
    means = readings.groupby("station")[["NO2", "PM10", "PM2.5"]].mean()
    return means.rename(index=dict(zip(table["station"], table["name"], strict=True)))


def test_a_2019_run_reproduces_the_five_stations_pm10_within_3(run_2019):
    observed = calibration_stations()["pm10_annual_mean_2019_ugm3"]
    model = run_2019.loc[observed.index, "PM10"]
    print(
        "\n"
        + pd.DataFrame({"model": model, "data": observed, "residual": model - observed}).round(1).to_string()
    )
    assert np.all(np.abs(model - observed) <= 3.0)


def test_a_2019_run_has_industrial_and_traffic_hotspots(run_2019):
    params = PollutionParameters()
    years = 2019.0 - params.reference_year
    regional = {
        "NO2": params.background_no2 * (1 + params.background_trend_no2) ** years,
        "PM10": params.background_pm10 * (1 + params.background_trend_pm) ** years,
        "PM2.5": params.background_pm25 * (1 + params.background_trend_pm) ** years,
    }
    types = station_table().set_index("name")["type"]
    industrial = types.index[types.str.startswith("industrial")]
    for pollutant, level in regional.items():
        measured = run_2019.loc[industrial, pollutant].dropna()
        assert np.all(measured > level), pollutant
    for traffic, background in (
        ("Marseille Rabatau", "Marseille Longchamp"),
        ("Aix Roy Rene", "Aix Ecole d'Art"),
    ):
        for pollutant in ("NO2", "PM10", "PM2.5"):
            assert run_2019.loc[traffic, pollutant] > run_2019.loc[background, pollutant], (
                traffic,
                pollutant,
            )


def test_a_bad_start_month_is_refused_in_one_line():
    done = subprocess.run(
        [sys.executable, "-m", "ampsim", "run", "--start", "2019-13", "--months", "1"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "--start: expected a month as YYYY-MM, got '2019-13'" in done.stderr
    assert "Traceback" not in done.stderr
