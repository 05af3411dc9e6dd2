"""The pollution submodel: fields, calibration against AtmoSud figures, policies' levers, paths."""

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from ampsim.core.parameters import iter_parameters
from ampsim.studies.air_calibration import (
    annual_mean_fields,
    marseille_road_nox_tonnes,
    reference_car_commuters,
    station_annual_means,
)
from ampsim.submodels.pollution import (
    POLLUTANTS,
    PollutionModel,
    PollutionParameters,
    commute_paths,
    station_table,
)
from ampsim.submodels.pollution.dispersion import regime_weights
from ampsim.submodels.pollution.fields import STATIC_FIELD_PARAMETERS, build_static_fields, load_sources
from ampsim.world.grid import in_any_polygon

YEAR = 2023.0


@pytest.fixture(scope="module")
def model(territory):
    return PollutionModel.over(territory)


@pytest.fixture(scope="module")
def paths(territory):
    return commute_paths(territory)


@pytest.fixture(scope="module")
def car_km(territory, paths):
    """Reference traffic: 550,000 car commuters, gravity OD, 10 km trips, 42 trips a month."""
    commuters = reference_car_commuters(territory, paths)
    return paths @ (commuters.ravel() * 42.0)


@pytest.fixture(scope="module")
def annual(model, car_km):
    return annual_mean_fields(model, car_km, YEAR)


@pytest.fixture(scope="module")
def stations(model, car_km):
    table = station_table()
    means = station_annual_means(model, car_km, YEAR)
    for name in POLLUTANTS:
        table[name] = means[name]
    print("\n" + table[["name", "type", *POLLUTANTS]].round(1).to_string())
    return table.set_index("name")


def marseille_cells(territory):
    return np.flatnonzero(np.isin(territory.grid.zone_of_cell.ravel(), territory.select("Marseille")))


# --- the fields -----------------------------------------------------------------------


def test_fields_cover_the_grid_and_are_finite_and_non_negative(model, territory, car_km):
    for car in (car_km, np.zeros_like(car_km)):
        model.update(0, 1, YEAR, car)
        for field in model.fields():
            assert field.shape == (territory.grid.ny, territory.grid.nx)
            assert field.dtype == np.float64
            assert np.all(np.isfinite(field)) and field.min() >= 0.0


def test_update_is_deterministic_and_a_generator_varies_the_weather(model, car_km):
    model.update(3, 4, YEAR, car_km)
    first = model.no2.copy()
    model.update(3, 4, YEAR, car_km)
    assert np.array_equal(first, model.no2)
    model.update(3, 4, YEAR, car_km, rng=np.random.default_rng(11))
    drawn = model.no2.copy()
    model.update(3, 4, YEAR, car_km, rng=np.random.default_rng(11))
    assert np.array_equal(drawn, model.no2)
    model.update(3, 4, YEAR, car_km, rng=np.random.default_rng(12))
    assert not np.array_equal(drawn, model.no2)


def test_regime_weights_are_shares_of_the_month(model):
    for month in range(1, 13):
        weights = regime_weights(model.params, month, np.random.default_rng(month))
        assert weights.min() >= 0 and weights.sum() == pytest.approx(1.0)
    assert np.mean(model.params.mistral_frequency) == pytest.approx(93 / 365, abs=0.01)


def test_at_cells_and_at_points_read_the_fields(model, territory, car_km):
    model.update(0, 1, YEAR, car_km)
    grid = territory.grid
    cells = grid.cell_flat[:50]
    values = model.at_cells(cells)
    assert np.array_equal(values["NO2"], model.no2.ravel()[cells])
    centres = model.at_points(grid.cell_x_km[:50], grid.cell_y_km[:50])
    for name, field in zip(POLLUTANTS, model.fields(), strict=True):
        assert np.allclose(centres[name], field.ravel()[cells])


def test_a_point_on_a_street_reads_above_its_cell(model, territory, car_km):
    model.update(0, 1, YEAR, car_km)
    longchamp = station_table().set_index("name").loc["Marseille Longchamp"]
    x, y = np.array([longchamp.x_km] * 3), np.array([longchamp.y_km] * 3)
    values = model.at_points(x, y, road_type=np.array(["", "street", "arterial"], dtype=object))
    for name in POLLUTANTS:
        assert values[name][0] < values[name][1] < values[name][2]
    assert values["O3"][2] < values["O3"][0]  # the street's NO titrates the ozone
    with pytest.raises(ValueError, match="road_type: unknown"):
        model.at_points(x[:1], y[:1], road_type=np.array(["avenue"], dtype=object))


def test_heating_is_off_in_summer(territory, car_km):
    no_traffic = PollutionParameters(background_traffic_km_per_resident=0.0)
    model = PollutionModel.over(territory, no_traffic)
    july = model._ground_emissions(np.zeros_like(car_km), 7, YEAR)
    assert july["NOx"].max() == 0.0 and july["PM10"].max() == 0.0
    january = model._ground_emissions(np.zeros_like(car_km), 1, YEAR)
    assert january["PM10"].max() > 0.0 and january["NOx"].max() > 0.0


# --- calibration ----------------------------------------------------------------------


def test_population_weighted_annual_means_are_plausible(model, annual):
    weight = model.people / model.people.sum()
    mean = {name: float(annual[name].ravel() @ weight) for name in POLLUTANTS}
    print(f"\npopulation-weighted annual means (µg/m³): {mean}")
    assert 10.0 <= mean["NO2"] <= 30.0
    assert 14.0 <= mean["PM10"] <= 24.0  # 72 % of the region above the WHO PM10 guideline of 15
    assert 8.0 <= mean["PM2.5"] <= 14.0


def test_marseille_exceeds_the_2030_no2_limit_and_only_rabatau_the_current_one(model, car_km):
    # AtmoSud 2022: the 2030 limit (20) exceeded in the main agglomerations; 2021: only Rabatau above 40
    marseille = marseille_cells(model.territory)
    assert annual_mean_fields(model, car_km, 2022.0)["NO2"].ravel()[marseille].max() > 20.0
    no2 = pd.Series(station_annual_means(model, car_km, 2021.0)["NO2"], index=station_table()["name"])
    assert no2.idxmax() == "Marseille Rabatau" and no2["Marseille Rabatau"] > 40.0
    assert no2.drop("Marseille Rabatau").max() < 40.0


def test_everybody_is_above_the_who_pm25_guideline(model, annual):
    assert np.all(annual["PM2.5"].ravel()[model.people > 0] > 5.0)


def test_marseille_road_nox_matches_the_inventory(model, car_km):
    # AtmoSud 2023: shipping 37 % = 1,456 t and road 45 % of Marseille's NOx, about 1,771 t
    assert marseille_road_nox_tonnes(model, car_km, YEAR) == pytest.approx(1_771, rel=0.1)


def test_highest_station_no2_is_at_a_traffic_or_industrial_station(stations):
    top = stations["NO2"].idxmax()
    assert stations.loc[top, "type"].startswith(("traffic", "industrial"))


def test_rabatau_traffic_station_reads_above_longchamp_background(stations):
    assert stations.loc["Marseille Rabatau", "NO2"] > stations.loc["Marseille Longchamp", "NO2"]
    assert stations.loc["Marseille Rabatau", "NO2"] < 55.0  # 48 in summer 2017, about 40 annual in 2021


def test_no_station_exceeds_the_eu_pm_limits(stations):
    # AtmoSud 2021: PM10 (40) and PM2.5 (25) limits met everywhere
    assert stations["PM10"].max() < 40.0 and stations["PM2.5"].max() < 25.0


def test_fos_stations_stay_moderate(stations):
    # AtmoSud 2018: NO2 below 16 at the points around ArcelorMittal; the model is a little higher
    fos = stations.loc[["Fos Les Carabins", "Fos sur Mer"], "NO2"]
    assert fos.max() < 22.0


def test_mistral_months_are_cleaner_in_marseille_than_calm_months(territory, car_km):
    def january(mistral, calm):
        base = PollutionParameters()
        values = {
            "mistral_frequency": (mistral, *base.mistral_frequency[1:]),
            "sea_breeze_frequency": (0.05, *base.sea_breeze_frequency[1:]),
            "calm_frequency": (calm, *base.calm_frequency[1:]),
        }
        model = PollutionModel.over(territory, PollutionParameters(**values))
        model.update(0, 1, YEAR, car_km)
        return model

    windy, calm = january(0.9, 0.05), january(0.05, 0.9)
    cells = marseille_cells(territory)
    background = windy.background(1, YEAR)
    for name in ("NO2", "PM2.5"):  # the local part, above the regional background
        local = [model.at_cells(cells)[name].mean() - background[name] for model in (windy, calm)]
        assert local[0] < 0.5 * local[1]


# --- static fields shared between runs ----------------------------------------------------


class RecordingParameters:
    """Parameters that note which of their names are read."""

    def __init__(self, params: PollutionParameters):
        self._params, self.read = params, set()

    def __getattr__(self, name):
        self.read.add(name)
        return getattr(self._params, name)


def test_static_fields_read_only_the_parameters_their_cache_key_holds(territory):
    recording = RecordingParameters(PollutionParameters())
    build_static_fields(territory, recording)
    assert recording.read and recording.read <= set(STATIC_FIELD_PARAMETERS)


def test_static_fields_are_shared_read_only_and_follow_the_dispersion_parameters(territory):
    base = PollutionParameters()
    first = PollutionModel.over(territory, base)
    other_background = PollutionModel.over(territory, base.model_copy(update={"background_no2": 9.0}))
    assert other_background.static is first.static
    assert not first.static.source_nox.flags.writeable
    slower = base.model_copy(update={"mistral_speed": base.mistral_speed / 2})
    slower_mistral = PollutionModel.over(territory, slower)
    assert slower_mistral.static is not first.static
    assert slower_mistral.static.source_nox[0].sum() > first.static.source_nox[0].sum()


# --- levers for policies ---------------------------------------------------------------


def test_halving_a_point_source_lowers_concentrations_near_it_only(model, territory, car_km):
    grid = territory.grid
    steelworks = load_sources().set_index("name").loc["fos_steelworks"]
    cx = grid.x0_km + (np.arange(grid.nx) + 0.5) * grid.cell_km
    cy = grid.y0_km + (np.arange(grid.ny) + 0.5) * grid.cell_km
    distance = np.hypot(cx[None, :] - steelworks.x_km, cy[:, None] - steelworks.y_km).ravel()
    model.update(0, 2, YEAR, car_km)
    before = {name: field.ravel().copy() for name, field in zip(POLLUTANTS, model.fields(), strict=True)}
    try:
        model.point_source_scale["fos_steelworks"] = 0.5
        model.update(0, 2, YEAR, car_km)
    finally:
        model.point_source_scale["fos_steelworks"] = 1.0
    near, far = distance < 5.0, distance > model.params.kernel_radius_km + 2
    for name, field in zip(POLLUTANTS, model.fields(), strict=True):
        change = field.ravel() - before[name]
        assert change[near].mean() < -0.1
        assert np.all(change <= 1e-9)
        assert np.allclose(change[far], 0.0, atol=1e-9)


def test_a_zero_road_scale_lowers_no2_in_its_zone(model, territory, car_km):
    zone = territory.zone_index("Marseille 4e")
    cells = territory.grid.cells_of_zone(zone)
    flat = territory.grid.cell_flat[cells]
    model.update(0, 1, YEAR, car_km)
    before = model.at_cells(flat)["NO2"]
    try:
        model.road_emission_scale_by_zone[zone] = 0.0
        model.update(0, 1, YEAR, car_km)
        after = model.at_cells(flat)["NO2"]
    finally:
        model.road_emission_scale_by_zone[zone] = 1.0
    assert np.all(after < before)
    assert after.mean() < before.mean() - 2.0


def test_road_traffic_and_trends_move_no2(model, car_km):
    model.update(0, 5, YEAR, car_km)
    base = model.no2.copy()
    model.update(0, 5, YEAR, 2 * car_km)
    assert np.all(model.no2 >= base) and model.no2.max() > base.max()
    model.update(0, 5, YEAR + 10, car_km)
    assert np.all(model.no2 < base)  # fleet renewal and the background trend


# --- commuting paths, stations, data -------------------------------------------------------


def test_commute_paths_follow_trips_on_territory_cells(territory, paths):
    grid, n = territory.grid, territory.n_zones
    assert paths.shape == (grid.ny * grid.nx, n * n)
    length = np.asarray(paths.sum(axis=0)).reshape(n, n)
    assert np.allclose(length, territory.commute_km)  # each trip drives its road-like distance
    used = np.unique(paths.nonzero()[0])
    assert np.all(grid.zone_of_cell.ravel()[used] >= 0)  # no km driven at sea


def test_reference_commuters_make_ten_km_trips(territory, paths):
    commuters = reference_car_commuters(territory, paths)
    length = np.asarray(paths.sum(axis=0)).reshape(territory.n_zones, -1)
    assert commuters.sum() == pytest.approx(550_000)
    assert (commuters * length).sum() / commuters.sum() == pytest.approx(10.0, rel=1e-3)


def test_station_table(territory):
    table = station_table()
    assert len(table) == 23
    assert set(table.loc[table["roadside"], "name"]) == {"Marseille Rabatau", "Aix Roy Rene"}
    assert set(table.loc[table["roadside"], "road_type"]) == {"arterial", "boulevard"}
    assert np.all(territory.grid.cell_index_at(table["x_km"], table["y_km"]) >= 0)


def test_sources_have_a_source_and_sit_in_the_right_place(territory):
    sources = load_sources()
    assert sources["source"].str.len().min() > 10
    assert np.all(sources[["nox_t_per_year", "pm10_t_per_year", "pm25_t_per_year", "so2_t_per_year"]] >= 0)
    assert np.all(sources["pm25_t_per_year"] <= sources["pm10_t_per_year"])
    at_sea = in_any_polygon(sources["x_km"], sources["y_km"], territory.sea_polygons_km)
    industry = sources["sector"] == "industry"
    assert not at_sea[industry].any()
    for row in sources[~industry].itertuples():  # ports: their disc reaches both land and sea
        angles = np.linspace(0, 2 * np.pi, 16)
        ring_x = row.x_km + row.radius_km * np.cos(angles)
        ring_y = row.y_km + row.radius_km * np.sin(angles)
        sea = in_any_polygon(ring_x, ring_y, territory.sea_polygons_km)
        assert sea.any() and not sea.all(), row.name
    by_name = sources.set_index("name")
    assert by_name.loc["fos_port", "nox_t_per_year"] == 6_212
    marseille_port = by_name.loc[by_name.index.str.startswith("marseille_port"), "nox_t_per_year"]
    assert marseille_port.sum() == 1_456


def test_every_parameter_is_documented():
    rows = list(iter_parameters(PollutionParameters()))
    assert len(rows) > 30
    for path, value, unit, source, description in rows:
        assert value is not None and unit and source and description, path


def test_parameters_reject_impossible_months():
    with pytest.raises(ValidationError):
        PollutionParameters(calm_frequency=(0.9,) * 12)
    with pytest.raises(ValidationError):
        PollutionParameters(heating_monthly_share=(0.1,) * 12)
    with pytest.raises(ValidationError):
        PollutionParameters(mistral_frequency=(0.2,) * 11)


def test_an_unknown_point_source_is_refused(model, car_km):
    model.point_source_scale["fos_steelwork"] = 0.5
    try:
        with pytest.raises(KeyError, match="fos_steelworks"):
            model.update(0, 1, YEAR, car_km)
    finally:
        del model.point_source_scale["fos_steelwork"]
