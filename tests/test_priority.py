"""Priority neighbourhoods (QPV 2024) on the grid: homes inside their polygons, about 300,000
residents, the poorest households at the start and the same income mix after moves, and the
indicators of QPV residents against the rest of the metropolis."""

import numpy as np
import pytest
import shapely

from ampsim.metrics import (
    ACTIVE,
    AGED_15_64,
    EMPLOYED_15_64,
    N_COUNTERS,
    POOR,
    POPULATION,
    UNEMPLOYED,
    priority_indicators,
)
from ampsim.world.geometry import priority_neighbourhoods
from ampsim.world.homes import (
    ALL_INCOMES,
    N_QUINTILES,
    home_cell_cdf_by_quintile,
    priority_homes_to_the_poorest,
    priority_share_by_quintile,
)
from ampsim.world.population import PopulationParameters
from ampsim.world.priority import MAX_PRIORITY_SHARE, PRIORITY_RESIDENTS

DOCUMENTED_SHARE = 100 * PRIORITY_RESIDENTS / 1_939_077  # 15.5 %


def test_each_qpv_part_is_a_second_home_place_of_its_cell_inside_the_qpv(territory):
    grid = territory.grid
    parts = np.flatnonzero(grid.cell_priority)
    assert 100 < parts.size < 200 and (parts >= grid.n_cells - parts.size).all()  # appended
    ordinary = ~grid.cell_priority
    assert np.unique(grid.cell_flat[ordinary]).size == ordinary.sum()  # every grid cell once
    assert np.isin(grid.cell_flat[parts], grid.cell_flat[ordinary]).all()
    twin = {flat: k for k, flat in enumerate(grid.cell_flat[: ordinary.sum()])}
    assert all(grid.cell_zone[twin[grid.cell_flat[p]]] == grid.cell_zone[p] for p in parts)
    _, polygons = priority_neighbourhoods()
    qpv = shapely.union_all(polygons).buffer(1e-6)
    assert shapely.contains_xy(qpv, grid.home_x_km[parts], grid.home_y_km[parts]).all()
    assert not shapely.contains_xy(qpv, grid.home_x_km[ordinary], grid.home_y_km[ordinary]).all()
    assert 14.0 < grid.cell_priority_km2.sum() <= 17.55  # the QPV's 17.55 km², inside their cells' zones


def test_300000_residents_shared_by_area_none_more_than_90_percent_of_a_zone(territory):
    residents = territory.priority_residents
    assert residents.sum() == pytest.approx(PRIORITY_RESIDENTS, rel=1e-9)
    assert (residents[~territory.grid.cell_priority] == 0).all()
    by_zone = np.bincount(territory.grid.cell_zone, residents, minlength=territory.n_zones)
    assert (by_zone <= MAX_PRIORITY_SHARE * territory.population + 1e-6).all()
    assert (by_zone > 0).sum() >= 20  # Marseille's arrondissements and 14 other communes


def test_the_qpv_share_of_residents_is_the_documented_figure(population_tenth, territory):
    r = population_tenth
    inside = territory.grid.cell_priority[r.home_cell]
    share = 100 * inside.mean()
    print(f"\nQPV residents at the start: {share:.2f} % (documented {DOCUMENTED_SHARE:.2f} %)")
    assert abs(share - DOCUMENTED_SHARE) < 2
    assert np.median(r.income[inside]) < 0.8 * np.median(r.income[~inside])  # poorer


def test_qpv_homes_go_to_the_poorest_households_of_each_zone():
    rng = np.random.default_rng(1)
    cell_priority = np.array([False, True, False, True])
    home = np.array([0, 1, 2, 3, 0, 1, 0, 2])  # households 0-3 in zone 0 (cells 0, 1), 4-7 in zone 1
    zone = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    income = np.array([9.0, 5.0, 1.0, 7.0, 3.0, 8.0, 2.0, 6.0]) * 1000
    sorted_home = priority_homes_to_the_poorest(home, zone, income, cell_priority, 0.0, rng)
    # zone 0 drew two QPV homes (cells 1 and 3): its two poorest, households 2 and 1, take them;
    # zone 1 drew one (cell 1): household 6 takes it
    assert cell_priority[sorted_home].tolist() == [False, True, True, False, False, False, True, False]
    assert sorted(sorted_home[:4].tolist()) == sorted(home[:4].tolist())  # the zone keeps its homes
    assert sorted(sorted_home[4:].tolist()) == sorted(home[4:].tolist())
    noisy = [
        cell_priority[priority_homes_to_the_poorest(home, zone, income, cell_priority, 50.0, rng)][6]
        for _ in range(200)
    ]
    assert 0.1 < np.mean(noisy) < 0.5  # at random, the poorest household of zone 1 has 1 chance in 4


def test_homes_drawn_later_keep_each_quintile_s_chance_of_living_in_a_qpv(population_tenth, territory):
    r = population_tenth
    edges = np.quantile(r.income, [0.2, 0.4, 0.6, 0.8])
    cdf = home_cell_cdf_by_quintile(territory, PopulationParameters().home_density_length, r, edges)
    share = priority_share_by_quintile(territory, r, edges)
    grid = territory.grid
    assert cdf.shape == (N_QUINTILES + 1, grid.n_cells)
    z = territory.zone_index("Marseille 15e")
    first, last = grid.zone_cell_start[z], grid.zone_cell_start[z + 1]
    cells = grid.zone_cells[first:last]
    for q in range(N_QUINTILES + 1):
        probability = np.diff(np.concatenate([[0.0], cdf[q, first:last]]))
        assert probability[grid.cell_priority[cells]].sum() == pytest.approx(share[z, q])
    assert share[z, 0] > share[z, ALL_INCOMES] > share[z, N_QUINTILES - 1]  # the poorest most
    no_qpv = territory.zone_index("Cassis")
    assert share[no_qpv].max() == 0


def test_the_indicators_of_qpv_residents_against_the_rest():
    counters = np.zeros((2, N_COUNTERS))
    counters[:, POPULATION] = [800, 200]
    counters[:, ACTIVE] = [400, 80]
    counters[:, UNEMPLOYED] = [40, 20]
    counters[:, AGED_15_64] = [500, 130]
    counters[:, EMPLOYED_15_64] = [300, 52]
    counters[:, POOR] = [120, 80]
    pollution = np.array([[800 * 20.0, 800 * 9.0], [200 * 26.0, 200 * 10.5]])  # NO2, PM2.5 summed
    row = priority_indicators(counters, pollution)
    assert row["qpv_population_share"] == pytest.approx(20.0)
    assert row["qpv_unemployment_rate"] == pytest.approx(25.0)
    assert row["qpv_unemployment_gap"] == pytest.approx(15.0)
    assert row["qpv_employment_rate"] == pytest.approx(40.0)
    assert row["qpv_employment_gap"] == pytest.approx(-20.0)
    assert row["qpv_poverty_rate"] == pytest.approx(40.0)
    assert row["qpv_poverty_gap"] == pytest.approx(25.0)
    assert row["qpv_no2_gap"] == pytest.approx(6.0) and row["qpv_pm25_gap"] == pytest.approx(1.5)


def test_a_run_reports_its_qpv_residents_and_their_gaps():
    from ampsim.model import AMPModel

    model = AMPModel(scale=0.02, seed=5, months=3, calibration_months=12)
    while model.running:
        model.step()
    row = model.metrics.metro_rows[-1]
    model.close()
    print({key: round(value, 2) for key, value in row.items() if key.startswith("qpv_")})
    assert abs(row["qpv_population_share"] - DOCUMENTED_SHARE) < 2
    assert row["qpv_unemployment_gap"] > 0 and row["qpv_poverty_gap"] > 5
    assert row["qpv_employment_gap"] < 0 and row["qpv_no2_gap"] > 0
