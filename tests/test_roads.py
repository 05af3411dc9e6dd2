"""Road-like distances: round the Étang de Berre and the gulfs, never across the water, times the
road network's circuity; commuting and road traffic use them, plumes keep the straight line."""

import dataclasses

import numpy as np
import pytest

from ampsim.submodels.commuting import Commuting
from ampsim.submodels.pollution import commute_paths
from ampsim.world.roads import ROAD_CIRCUITY, road_network

AIX, MARSEILLE_1 = "Aix-en-Provence", "Marseille 1er"


def pair(territory, a, b):
    return territory.zone_index(a), territory.zone_index(b)


def test_the_detour_is_one_where_no_water_is_in_the_way(territory):
    i, j = pair(territory, AIX, MARSEILLE_1)
    roads = territory.roads
    assert roads.water_detour[i, j] == 1.0
    assert roads.distance_km[i, j] == pytest.approx(ROAD_CIRCUITY * territory.distance_km[i, j])


def test_roads_go_round_the_etang_de_berre(territory):
    roads = territory.roads
    grid = territory.grid
    i, j = pair(territory, "Martigues", "Berre-l'Étang")
    across = np.linspace(0, 1, 50)
    x = territory.x_km[i] + across * (territory.x_km[j] - territory.x_km[i])
    y = territory.y_km[i] + across * (territory.y_km[j] - territory.y_km[i])
    assert not grid.land.ravel()[grid.cell_index_at(x, y)].all()  # the straight line crosses water
    assert roads.water_detour[i, j] > 1.5
    path = roads.path_cell[roads.path_pair == i * territory.n_zones + j]
    assert grid.land.ravel()[path].all()  # the road does not


def test_distances_are_symmetric_and_never_shorter_than_the_circuity(territory):
    roads = territory.roads
    assert np.allclose(roads.distance_km, roads.distance_km.T)
    assert (roads.distance_km >= ROAD_CIRCUITY * territory.distance_km - 1e-9).all()
    assert (roads.water_detour >= 1).all()
    assert (np.diagonal(territory.commute_km) >= 1.0).all()
    off = ~np.eye(territory.n_zones, dtype=bool)
    assert (territory.commute_km[off] == roads.distance_km[off]).all()
    print(f"\nwater detour above 1 % for {100 * (roads.water_detour > 1.01).mean():.1f} % of zone pairs")


def test_every_path_joins_its_two_zones_and_shares_sum_to_one(territory):
    roads = territory.roads
    n = territory.n_zones
    totals = np.bincount(roads.path_pair, roads.path_share, minlength=n * n).reshape(n, n)
    off = ~np.eye(n, dtype=bool)
    assert np.allclose(totals[off], 1.0) and (totals[~off] == 0).all()
    first = np.r_[True, roads.path_pair[1:] != roads.path_pair[:-1]]
    last = np.r_[roads.path_pair[1:] != roads.path_pair[:-1], True]
    start_zone, end_zone = roads.path_pair[first] // n, roads.path_pair[first] % n
    zone_of = territory.grid.zone_of_cell.ravel()
    # each path is traced from its end back to its start
    assert (zone_of[roads.path_cell[first]] == end_zone).mean() > 0.9
    assert (zone_of[roads.path_cell[last]] == start_zone).mean() > 0.9


def test_a_land_barrier_lengthens_the_path_and_open_ground_does_not(territory):
    grid = territory.grid
    i, j = pair(territory, AIX, MARSEILLE_1)
    xs, ys = territory.x_km[[i, j]], territory.y_km[[i, j]]
    assert road_network(grid, xs, ys).water_detour[0, 1] == 1.0
    land = grid.land.copy()
    middle = grid.cell_index_at(np.array([xs.mean()]), np.array([ys.mean()]))[0]
    row, col = divmod(int(middle), grid.nx)
    land[row, col - 8 : col + 9] = False  # a 17 km wall across the line from Aix to Marseille
    walled = dataclasses.replace(grid, land=land)
    assert road_network(walled, xs, ys).water_detour[0, 1] > 1.02


def test_road_traffic_round_the_etang_stays_on_the_territory(territory):
    paths = commute_paths(territory)
    i, j = pair(territory, "Martigues", "Berre-l'Étang")
    cells = paths[:, i * territory.n_zones + j].nonzero()[0]
    assert (territory.grid.zone_of_cell.ravel()[cells] >= 0).all()  # on the territory's cells


def test_the_median_commute_and_the_share_leaving_their_commune():
    commuting = Commuting.__new__(Commuting)
    km = np.array([[1.0, 4.0, 9.0], [4.0, 2.0, 6.0], [9.0, 6.0, 1.5]])
    commuting._by_distance = np.argsort(km, axis=None, kind="stable")
    commuting._sorted_km = km.ravel()[commuting._by_distance]
    communes = np.array([13055, 13055, 13001])
    commuting._same_commune = communes[:, None] == communes[None, :]
    commuting.commuters = np.array([[5, 1, 0], [0, 3, 0], [0, 2, 4]])
    # distances, sorted with their commuters: 1 (5), 1.5 (4), 2 (3), 4 (1), 6 (2); 15 in all
    assert commuting.median_commute_km() == 1.5
    assert commuting.share_leaving_commune() == pytest.approx(2 / 15)
    commuting.commuters = np.zeros((3, 3), dtype=np.int64)
    assert commuting.median_commute_km() == 0.0 and commuting.share_leaving_commune() == 0.0
