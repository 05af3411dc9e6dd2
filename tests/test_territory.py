import numpy as np
import pytest
import scipy.sparse as sparse
from scipy.sparse.csgraph import connected_components

from ampsim.core.errors import InputError
from ampsim.world.geometry import points_lambert93_km
from ampsim.world.grid import in_any_polygon
from ampsim.world.territory import read_data_csv


def test_92_communes_and_107_zones(territory):
    assert len(territory.communes) == 92
    assert territory.n_zones == 107
    assert 13055 not in territory.codes  # Marseille is replaced by its arrondissements
    assert set(range(13201, 13217)) <= set(territory.codes.tolist())


def test_metro_total_and_marseille_equals_its_arrondissements(territory):
    assert territory.total_population == 1_939_077
    marseille = territory.communes.set_index("insee_code").loc[13055, "population"]
    arrondissements = territory.population[territory.select("Marseille")]
    assert arrondissements.size == 16
    assert arrondissements.sum() == marseille == 886_040


@pytest.mark.parametrize(
    "query, code",
    [
        ("13001", 13001),
        (13001, 13001),
        ("Aix-en-Provence", 13001),
        ("aix en provence", 13001),
        ("BERRE-L'ETANG", 13014),
        ("Berre l'Étang", 13014),
        ("Marseille 3e", 13203),
        ("marseille 1er", 13201),
        ("Marseille 16e Arrondissement", 13216),
        ("Saint-Zacharie", 83120),
    ],
)
def test_lookup_by_code_or_name(territory, query, code):
    assert territory.codes[territory.zone_index(query)] == code
    assert territory.zone(query)["insee_code"] == code


def test_unknown_zone_names_closest_matches(territory):
    with pytest.raises(InputError) as raised:
        territory.zone_index("Aix en Provance")
    assert "Aix-en-Provence (13001)" in str(raised.value)
    with pytest.raises(InputError, match=r"closest matches: .*Marseille"):
        territory.select("Marseile")
    with pytest.raises(InputError, match="unknown zone '99999'"):
        territory.select("99999")


def test_marseille_is_not_a_single_zone(territory):
    with pytest.raises(InputError, match="16 arrondissements"):
        territory.zone_index("Marseille")


def test_distance_matrix(territory):
    d = territory.distance_km
    assert d.shape == (107, 107)
    assert np.allclose(d, d.T)
    assert np.all(np.diag(d) == 0)
    aix, marseille_1 = territory.zone_index("Aix-en-Provence"), territory.zone_index("Marseille 1er")
    assert 24 < d[aix, marseille_1] < 28  # the two centres are about 26 km apart
    fos, la_ciotat = territory.zone_index("Fos-sur-Mer"), territory.zone_index("La Ciotat")
    assert 60 < d[fos, la_ciotat] < 70


def test_neighbour_graph_is_symmetric_and_connected(territory):
    adjacency = territory.adjacency
    assert np.array_equal(adjacency, adjacency.T)
    assert not adjacency.diagonal().any()
    assert adjacency.sum(axis=1).min() >= 1
    n_components, _ = connected_components(sparse.csr_matrix(adjacency))
    assert n_components == 1
    marseille_2 = territory.zone_index("Marseille 2e")
    names = {territory.names[i] for i in territory.neighbours(marseille_2)}
    assert "Marseille 3e Arrondissement" in names
    assert "Pertuis" not in names


def test_grid_cells_belong_to_one_zone_each_and_match_areas(territory):
    grid = territory.grid
    assert grid.cell_km == 1.0
    owned = grid.zone_of_cell >= 0
    assert not (owned & ~grid.land).any()  # no owned cell in the sea
    ordinary = ~grid.cell_priority  # the others are QPV parts of these cells
    assert owned.sum() == ordinary.sum() and np.isin(grid.cell_flat, np.flatnonzero(owned.ravel())).all()
    counts = np.diff(grid.zone_cell_start)
    assert counts.min() >= 1  # every zone has at least one cell, the 1st arrondissement included
    assert counts.sum() == grid.n_cells
    assert (grid.zone_area_km2() == np.bincount(grid.cell_zone[ordinary], minlength=107)).all()
    area = territory.zones["area_km2"].to_numpy()
    assert abs(grid.zone_area_km2().sum() / area.sum() - 1) < 0.05
    large = area >= 10
    ratio = grid.zone_area_km2()[large] / area[large]
    assert ratio.min() > 0.6 and ratio.max() < 1.6
    for zone in (0, 50, 106):  # the cell lists agree with the map
        cells = grid.cells_of_zone(zone)
        assert np.all(grid.zone_of_cell.ravel()[grid.cell_flat[cells]] == zone)


def test_zone_centres_and_stations_lie_on_land(territory):
    assert not in_any_polygon(territory.x_km, territory.y_km, territory.sea_polygons_km).any()
    stations = read_data_csv("stations.csv")
    x, y = points_lambert93_km(stations["lon"].to_numpy(), stations["lat"].to_numpy())
    assert len(stations) == 23
    assert not in_any_polygon(x, y, territory.sea_polygons_km).any()
    # A point in the Gulf of Lion and one in the middle of the Étang de Berre are sea.
    sx, sy = points_lambert93_km(np.array([5.30, 5.10]), np.array([43.20, 43.47]))
    assert in_any_polygon(sx, sy, territory.sea_polygons_km).all()


def test_etang_de_berre_has_about_its_real_area(territory):
    x, y = territory.sea_polygons_km[1].T
    area = 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
    assert 155 * 0.85 < area < 155 * 1.15


def test_lambert93_projection():
    x, y = points_lambert93_km(np.array([5.37]), np.array([43.296]))  # Marseille town hall
    assert abs(x[0] - 892.4) < 0.5 and abs(y[0] - 6247.0) < 0.5
    x, y = points_lambert93_km(np.array([3.0]), np.array([46.5]))  # the projection's origin
    assert x[0] == pytest.approx(700.0, abs=1e-6) and y[0] == pytest.approx(6600.0, abs=1e-6)


def test_territory_arrays_are_read_only(territory):
    with pytest.raises(ValueError):
        territory.population[0] = 1
