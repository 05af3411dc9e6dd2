"""The territory's real shapes, read from the project's own GeoJSON files: the 107 zone polygons,
their union as the land (with the Étang de Berre as a hole), the QPV of 2024, and the projection
they share with the grid."""

from pathlib import Path

import numpy as np
import pytest
import shapely

import ampsim.world
from ampsim.world.geometry import ATTRIBUTION, points_lambert93_km, priority_neighbourhoods, zone_shapes
from ampsim.world.territory import load_territory, read_data_csv

ETANG_DE_BERRE = (5.13, 43.47)  # lon, lat: open water, about 6 km from every shore


@pytest.fixture(scope="module")
def territory():
    return load_territory()


@pytest.fixture(scope="module")
def shapes(territory):
    return zone_shapes(tuple(int(code) for code in territory.codes))


def test_every_zone_has_its_polygon_with_the_documented_area(territory, shapes):
    areas = read_data_csv("geo/areas.csv").set_index("code")["area_km2_polygon_L93"]
    assert len(shapes.polygons) == territory.n_zones == 107
    assert all(polygon.is_valid and polygon.area > 0 for polygon in shapes.polygons)
    measured = np.array([polygon.area for polygon in shapes.polygons])
    np.testing.assert_allclose(measured, areas.loc[territory.codes].to_numpy(), rtol=2e-3)
    # the polygons cover the zones' official areas to within 0.3 % in all
    assert abs(measured.sum() / territory.zones["area_km2"].sum() - 1) < 0.003


def test_the_land_leaves_the_etang_de_berre_as_a_hole(shapes):
    land = shapes.land()
    holes = [shapely.Polygon(ring).area for part in getattr(land, "geoms", [land]) for ring in part.interiors]
    assert max(holes) == pytest.approx(155.1, abs=0.5)  # the Étang de Berre and the Étang de Vaïne
    x, y = points_lambert93_km(*ETANG_DE_BERRE)
    assert shapes.zone_at(np.atleast_1d(x), np.atleast_1d(y))[0] == -1
    assert land.area == pytest.approx(3158.3, abs=0.5)


def test_stations_and_zone_centres_fall_in_their_zones(territory, shapes):
    stations = read_data_csv("stations.csv")
    x, y = points_lambert93_km(stations["lon"], stations["lat"])
    assert (shapes.zone_at(x, y) >= 0).all()  # all 23 stations inside the territory
    x, y = points_lambert93_km(territory.zones["lon"], territory.zones["lat"])
    outside = np.flatnonzero(shapes.zone_at(x, y) != np.arange(territory.n_zones))
    assert [territory.names[z] for z in outside] == [
        "Marseille 2e Arrondissement"
    ]  # its centre: 106 m into the 3e


def test_every_position_goes_through_pyproj(territory):
    """Zone centres, stations, sources and incubators share the shapes' projection (pyproj)."""
    lon, lat = territory.zones["lon"].to_numpy(), territory.zones["lat"].to_numpy()
    x, y = points_lambert93_km(lon, lat)
    assert np.array_equal(territory.x_km, x) and np.array_equal(territory.y_km, y)
    assert not list(Path(ampsim.world.__file__).parent.glob("projection.py"))  # no second projection


def test_the_priority_neighbourhoods_of_2024(territory):
    table, polygons = priority_neighbourhoods()
    assert len(table) == len(polygons) == 66
    assert sum(polygon.area for polygon in polygons) == pytest.approx(17.55, abs=0.05)
    shapes = zone_shapes(tuple(int(code) for code in territory.codes))
    for row, polygon in zip(table.itertuples(), polygons, strict=True):
        main = int(np.flatnonzero(territory.codes == int(row.main_zone))[0])
        assert shapes.polygons[main].intersection(polygon).area >= 0.4 * polygon.area, row.code_qp
    assert "IGN ADMIN EXPRESS" in ATTRIBUTION and "ANCT" in ATTRIBUTION


def test_every_home_lies_on_land_inside_its_zone_and_none_in_the_etang_de_berre(shapes):
    """The residents of a small synthetic population: each home's point (in its cell, on the part
    its zone covers) lies inside its own zone's polygon, and no home is in the Étang de Berre."""
    from ampsim.model import AMPModel

    model = AMPModel(scale=0.005, seed=4, months=1, calibration_months=1)
    grid, r = model.territory.grid, model.residents
    alive = np.flatnonzero(r.present())
    cells = r.home_cell[alive].astype(np.int64)
    assert (grid.cell_zone[cells] == r.zone[alive]).all()  # a home cell is its resident's zone's
    x, y = grid.home_x_km[cells], grid.home_y_km[cells]
    assert (shapes.zone_at(x, y) == r.zone[alive]).all()
    etang = max(
        (
            shapely.Polygon(ring)
            for part in getattr(shapes.land(), "geoms", [shapes.land()])
            for ring in part.interiors
        ),
        key=lambda hole: hole.area,
    )
    assert not shapely.contains_xy(etang, x, y).any()
    half = grid.cell_km / 2
    boxes = shapely.box(
        grid.cell_x_km - half, grid.cell_y_km - half, grid.cell_x_km + half, grid.cell_y_km + half
    )
    assert (
        shapely.area(shapely.intersection(boxes, etang)) < 0.5 * grid.cell_area_km2
    ).all()  # no cell is mostly water
    model.close()


def test_cells_belong_to_the_zone_covering_most_of_them(territory, shapes):
    grid = territory.grid
    ordinary = ~grid.cell_priority  # a cell's part in a QPV is a second home place of the cell
    assert ordinary.sum() == pytest.approx(shapes.land().area / grid.cell_area_km2, rel=0.01)
    assert (grid.cell_land_share[ordinary] > 0.3).all()
    most = grid.cell_land_share[ordinary] >= 0.5
    assert most.mean() > 0.98  # the rest: coast cells shared by zones, and the tiniest zones' one cell
