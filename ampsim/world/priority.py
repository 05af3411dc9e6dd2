"""Priority neighbourhoods (QPV, the official list of 2024) on the grid: homes inside them.

A grid cell that a QPV polygon covers in part has two territory cells, two places to live: its
part inside the QPV (a "priority part") and the rest. Both are at the same place on the grid
(same `cell_flat`, same pollution), so a resident lives in a QPV when their home cell is a
priority part, and moves, births and arrivals keep that flag as they keep any home. Priority parts
are appended after the grid's own cells; each has the area of the QPV inside its cell and zone,
and its homes lie inside that part of the QPV polygon.

The official QPV populations are not in the project's data, only the metropolis's total of about
300,000 residents (`PRIORITY_RESIDENTS`): a QPV's residents are that total shared by area, one
density for all (QPV are dense estates and old centres), and `population.home_cell_cdf` places
them in the priority parts.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ampsim.world.grid import Grid

PRIORITY_RESIDENTS = 300_000  # people in the metropolis's QPV; see its source below
PRIORITY_RESIDENTS_SOURCE = (
    "AMP: 59 QPV, about 300,000 residents (Horizons publics 2021, from the 2018 evaluation of the city "
    "contracts); 16.0 % of the Bouches-du-Rhône's population lives in a QPV of the 2024 list (Insee "
    "Flash PACA 106)"
)
MIN_PART_KM2 = 0.001  # a QPV sliver below this area in a cell (simplified outlines) is ignored
MAX_PRIORITY_SHARE = 0.9  # of a zone's residents the QPV may hold at most


def add_priority_parts(
    grid: Grid, zone_polygons: tuple[BaseGeometry, ...], priority_polygons: tuple[BaseGeometry, ...]
) -> Grid:
    """The grid with a priority part for every territory cell a QPV covers inside the cell's zone."""
    half = grid.cell_km / 2
    boxes = shapely.box(
        grid.cell_x_km - half, grid.cell_y_km - half, grid.cell_x_km + half, grid.cell_y_km + half
    )
    # each QPV clipped to the cells it touches, then to the cell's zone (pairs from a tree: fast)
    qpv_of_pair, cell_of_pair = shapely.STRtree(boxes).query(list(priority_polygons), predicate="intersects")
    pieces = shapely.intersection(np.array(priority_polygons, dtype=object)[qpv_of_pair], boxes[cell_of_pair])
    zones = np.array(zone_polygons, dtype=object)[grid.cell_zone[cell_of_pair]]
    pieces = shapely.intersection(pieces, zones)
    area = np.bincount(cell_of_pair, shapely.area(pieces), minlength=grid.n_cells)
    chosen = np.flatnonzero(area >= MIN_PART_KM2)
    parts = [shapely.union_all(pieces[cell_of_pair == cell]) for cell in chosen]
    area[chosen] = shapely.area(parts)  # the union's: neighbouring QPV outlines may overlap a little
    points = shapely.point_on_surface(parts)
    n = grid.n_cells
    cell_zone = np.concatenate([grid.cell_zone, grid.cell_zone[chosen]])
    order = np.argsort(cell_zone, kind="stable")
    counts = np.bincount(cell_zone, minlength=grid.zone_cell_start.size - 1)
    return dataclasses.replace(
        grid,
        cell_flat=np.concatenate([grid.cell_flat, grid.cell_flat[chosen]]),
        cell_zone=cell_zone,
        cell_x_km=np.concatenate([grid.cell_x_km, grid.cell_x_km[chosen]]),
        cell_y_km=np.concatenate([grid.cell_y_km, grid.cell_y_km[chosen]]),
        zone_cell_start=np.concatenate([[0], np.cumsum(counts)]).astype(np.int32),
        zone_cells=order.astype(np.int32),
        cell_land_share=np.concatenate([grid.cell_land_share, area[chosen] / grid.cell_area_km2]),
        home_x_km=np.concatenate([grid.home_x_km, shapely.get_x(points)]),
        home_y_km=np.concatenate([grid.home_y_km, shapely.get_y(points)]),
        cell_priority_km2=np.concatenate([np.zeros(n), area[chosen]]),
    )


def priority_residents_by_cell(grid: Grid, population: np.ndarray) -> np.ndarray:
    """Residents of each territory cell's priority part (0 for other cells): `PRIORITY_RESIDENTS`
    shared by QPV area, each zone's at most `MAX_PRIORITY_SHARE` of its `population`."""
    area = grid.cell_priority_km2
    residents = PRIORITY_RESIDENTS * area / area.sum() if area.sum() > 0 else np.zeros_like(area)
    by_zone = np.bincount(grid.cell_zone, residents, minlength=population.size)
    cap = np.minimum(1.0, MAX_PRIORITY_SHARE * population / np.maximum(by_zone, 1e-12))
    return residents * cap[grid.cell_zone]
