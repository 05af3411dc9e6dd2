"""Pollution that matters to people: long-term exposure raises the simulated death hazard by the
WHO exposure-response functions, and a zone's air, relative to the metro's since the start, pulls
or pushes movers."""

from types import SimpleNamespace

import numpy as np
import pytest

from ampsim.model import AMPModel
from ampsim.submodels.exposure import Exposure, ExposureParameters
from ampsim.submodels.housing import Housing, HousingParameters


class Air:
    """A stand-in for the pollution submodel's fields (the hazard reads PM2.5 and NO2)."""

    def __init__(self, grid, pm25: float, no2: float):
        self.pm25 = np.full((grid.ny, grid.nx), pm25)
        self.no2 = np.full((grid.ny, grid.nx), no2)


@pytest.fixture()
def exposure(territory):
    submodel = Exposure(ExposureParameters())
    submodel.setup(SimpleNamespace(territory=territory))
    return submodel


def test_the_hazard_is_one_at_the_reference_and_follows_the_who_functions(exposure, territory):
    p, grid = exposure.params, territory.grid
    model = SimpleNamespace(territory=territory)
    assert np.all(exposure.hazard_by_home_cell == 1.0)  # before any air: the life table
    exposure.update_hazard(model, Air(grid, p.mortality_reference_pm25, p.mortality_reference_no2))
    assert exposure.hazard_by_home_cell == pytest.approx(1.0)
    exposure.months_seen = 0
    exposure.update_hazard(model, Air(grid, p.mortality_reference_pm25 + 10, p.mortality_reference_no2))
    assert exposure.hazard_by_home_cell == pytest.approx(1.08)  # RR 1.08 per 10 µg/m³ of PM2.5
    exposure.months_seen = 0
    exposure.update_hazard(model, Air(grid, p.mortality_reference_pm25, p.mortality_reference_no2 + 10))
    assert exposure.hazard_by_home_cell == pytest.approx(1.02 ** (1 - p.no2_mortality_overlap))
    assert exposure.hazard_by_home_cell.size == grid.cell_flat.size


def test_the_hazard_reads_the_last_twelve_months(exposure, territory):
    p, grid = exposure.params, territory.grid
    model = SimpleNamespace(territory=territory)
    reference = p.mortality_reference_pm25, p.mortality_reference_no2
    exposure.update_hazard(model, Air(grid, reference[0] + 12, reference[1]))  # one dirty month
    assert exposure.hazard_by_home_cell[0] == pytest.approx(np.exp(np.log(1.08) * 1.2))
    for month in range(11):
        exposure.update_hazard(model, Air(grid, *reference))
        assert exposure.hazard_by_home_cell[0] == pytest.approx(np.exp(np.log(1.08) * 1.2 / (month + 2)))
    exposure.update_hazard(model, Air(grid, *reference))  # the dirty month is more than a year ago
    assert exposure.hazard_by_home_cell == pytest.approx(1.0)


def deaths_over(months: int, params: dict) -> float:
    model = AMPModel(params, scale=0.01, seed=3, months=months, calibration_months=12)
    deaths = 0
    for _ in range(months):
        model.step()
        deaths += int(model.demography.deaths_by_zone.sum())
    return deaths


def test_dirtier_air_kills_more_residents():
    clean = deaths_over(12, {})
    dirty = deaths_over(12, {"pollution": {"background_pm25": 37.5}})  # +30 µg/m³ of PM2.5 everywhere
    print(f"\ndeaths in a year at scale 0.01: {clean} baseline, {dirty} with 30 µg/m³ more PM2.5")
    assert dirty > clean * 1.1  # RR 1.08 per 10: about +26 % once the year's exposure is in


# --- air in residential choice ---------------------------------------------------------------


@pytest.fixture()
def housing(territory):
    submodel = Housing(HousingParameters())
    n = territory.n_zones
    submodel.air_pull = np.ones(n)
    submodel._air_start = submodel._air_seen = None
    return submodel


def test_movers_turn_from_a_zone_whose_air_got_worse(housing, territory):
    n = territory.n_zones
    residents = territory.population.astype(float)
    pm25 = np.full(n, 9.0)
    housing.perceive_air(np.zeros(n), residents)  # no air simulated yet: nothing happens
    assert housing._air_start is None and np.all(housing.air_pull == 1.0)
    housing.perceive_air(pm25, residents)
    assert housing.air_pull == pytest.approx(1.0)  # the start's air is in the observed sorting
    worse = pm25.copy()
    worse[0] = 18.0  # twice the rest
    for _ in range(120):
        housing.perceive_air(worse, residents)
    others = housing.air_pull[1:].mean()
    assert housing.air_pull[0] / others == pytest.approx(2.0**-housing.params.air_value_elasticity, rel=0.01)
    assert 0.7 < housing.air_pull[0] / others < 0.9


def test_the_view_of_the_air_builds_over_a_year(housing, territory):
    n = territory.n_zones
    residents = territory.population.astype(float)
    housing.perceive_air(np.full(n, 9.0), residents)
    cleaner = np.full(n, 9.0)
    cleaner[5] = 4.5
    housing.perceive_air(cleaner, residents)
    first_month = housing.air_pull[5]
    for _ in range(11):
        housing.perceive_air(cleaner, residents)
    a_year = housing.air_pull[5]
    assert 1.0 < first_month < a_year  # cleaner air draws movers, more as its reputation builds
