"""The regular grid over the territory: land and sea, and which zone owns each land cell.

There are no official commune polygons in the project's data, so zones are grown on the grid
from their centres: each land cell goes to the zone that minimises distance / reach, and every
zone's reach is adjusted until its number of cells matches its official area (a multiplicatively
weighted Voronoi diagram with capacity targets). Cells that no zone reaches lie outside the
territory; cells inside the sea polygons are never owned. Every zone owns at least the land cell
nearest its centre, so even the 1.8 km² 1st arrondissement exists at 1 km resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.path import Path

from ampsim.core.errors import InputError

MIN_CELL_KM = 0.25
MAX_CELL_KM = 5.0
_MARGIN_KM = 15.0
_REACH_ITERATIONS = 80


@dataclass(frozen=True, eq=False)
class Grid:
    """A regular grid in Lambert-93 kilometres and the territory cells on it.

    The full rectangle (`ny` x `nx`) carries fields that also live over the sea (pollution);
    territory cells are the land cells owned by a zone, numbered 0..n_cells-1, and residents'
    home cells are those numbers.
    """

    cell_km: float
    x0_km: float  # west edge of column 0
    y0_km: float  # south edge of row 0
    nx: int
    ny: int
    land: np.ndarray  # bool (ny, nx): cell centre is not in the sea
    zone_of_cell: np.ndarray  # int16 (ny, nx): owning zone index, -1 outside the territory
    cell_flat: np.ndarray  # int32 (n_cells,): flat index (row * nx + col) of each territory cell
    cell_zone: np.ndarray  # int16 (n_cells,): zone index of each territory cell
    cell_x_km: np.ndarray  # float64 (n_cells,): cell centre
    cell_y_km: np.ndarray
    zone_cell_start: np.ndarray  # int32 (n_zones + 1,): territory cells of zone z are
    zone_cells: np.ndarray  # zone_cells[zone_cell_start[z]:zone_cell_start[z + 1]]

    @property
    def n_cells(self) -> int:
        return int(self.cell_flat.size)

    @property
    def cell_area_km2(self) -> float:
        return self.cell_km**2

    def cells_of_zone(self, zone: int) -> np.ndarray:
        """Territory cell numbers owned by one zone."""
        return self.zone_cells[self.zone_cell_start[zone] : self.zone_cell_start[zone + 1]]

    def zone_area_km2(self) -> np.ndarray:
        """Area of each zone on the grid (cells x cell area)."""
        return np.diff(self.zone_cell_start) * self.cell_area_km2

    def cell_index_at(self, x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
        """Flat index in the full rectangle of the cell containing each point; -1 outside."""
        col = np.floor((np.asarray(x_km) - self.x0_km) / self.cell_km).astype(np.int64)
        row = np.floor((np.asarray(y_km) - self.y0_km) / self.cell_km).astype(np.int64)
        inside = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        return np.where(inside, row * self.nx + col, -1)

    def home_cell_dtype(self) -> np.dtype:
        """Smallest unsigned integer type that numbers every territory cell."""
        return np.dtype(np.uint16) if self.n_cells < 2**16 else np.dtype(np.uint32)


def check_cell_km(cell_km: float) -> float:
    """Validate a grid resolution given by a user."""
    if not (MIN_CELL_KM <= cell_km <= MAX_CELL_KM):
        raise InputError(
            f"grid cell size: expected a number of kilometres between {MIN_CELL_KM} and "
            f"{MAX_CELL_KM}, got {cell_km}"
        )
    return float(cell_km)


def build_grid(
    zone_x_km: np.ndarray,
    zone_y_km: np.ndarray,
    zone_area_km2: np.ndarray,
    sea_polygons_km: list[np.ndarray],
    cell_km: float = 1.0,
) -> Grid:
    """Lay a grid over the zone centres, mask the sea and grow each zone to its area."""
    cell_km = check_cell_km(cell_km)
    x0 = np.floor((zone_x_km.min() - _MARGIN_KM) / cell_km) * cell_km
    y0 = np.floor((zone_y_km.min() - _MARGIN_KM) / cell_km) * cell_km
    nx = int(np.ceil((zone_x_km.max() + _MARGIN_KM - x0) / cell_km))
    ny = int(np.ceil((zone_y_km.max() + _MARGIN_KM - y0) / cell_km))
    centres_x = x0 + (np.arange(nx) + 0.5) * cell_km
    centres_y = y0 + (np.arange(ny) + 0.5) * cell_km
    grid_x, grid_y = np.meshgrid(centres_x, centres_y)
    land = ~in_any_polygon(grid_x.ravel(), grid_y.ravel(), sea_polygons_km).reshape(ny, nx)

    land_flat = np.flatnonzero(land.ravel())
    owner = _grow_zones(
        grid_x.ravel()[land_flat],
        grid_y.ravel()[land_flat],
        zone_x_km,
        zone_y_km,
        zone_area_km2,
        cell_km,
    )
    zone_of_cell = np.full(ny * nx, -1, dtype=np.int16)
    zone_of_cell[land_flat] = owner
    cell_flat = np.flatnonzero(zone_of_cell >= 0).astype(np.int32)
    cell_zone = zone_of_cell[cell_flat]
    order = np.argsort(cell_zone, kind="stable")
    counts = np.bincount(cell_zone, minlength=zone_x_km.size)
    return Grid(
        cell_km=cell_km,
        x0_km=float(x0),
        y0_km=float(y0),
        nx=nx,
        ny=ny,
        land=land,
        zone_of_cell=zone_of_cell.reshape(ny, nx),
        cell_flat=cell_flat,
        cell_zone=cell_zone,
        cell_x_km=grid_x.ravel()[cell_flat],
        cell_y_km=grid_y.ravel()[cell_flat],
        zone_cell_start=np.concatenate([[0], np.cumsum(counts)]).astype(np.int32),
        zone_cells=order.astype(np.int32),
    )


def in_any_polygon(x: np.ndarray, y: np.ndarray, polygons: list[np.ndarray]) -> np.ndarray:
    """True where a point lies inside any of the polygons (each an (n, 2) array of vertices)."""
    points = np.column_stack([x, y])
    inside = np.zeros(points.shape[0], dtype=bool)
    for vertices in polygons:
        inside |= Path(vertices).contains_points(points)
    return inside


def _grow_zones(
    cell_x: np.ndarray,
    cell_y: np.ndarray,
    zone_x: np.ndarray,
    zone_y: np.ndarray,
    zone_area_km2: np.ndarray,
    cell_km: float,
) -> np.ndarray:
    """Owner zone of each land cell (-1 for none), with each zone's cell count near its area."""
    distance = np.hypot(cell_x[:, None] - zone_x[None, :], cell_y[:, None] - zone_y[None, :])
    target_cells = zone_area_km2 / cell_km**2
    reach = np.sqrt(zone_area_km2 / np.pi) + 0.5 * cell_km  # disc of the zone's area, km
    for _ in range(_REACH_ITERATIONS):
        owner = _owners(distance, reach)
        counts = np.bincount(owner[owner >= 0], minlength=zone_x.size)
        reach *= np.clip(np.sqrt(target_cells / np.maximum(counts, 0.5)), 0.8, 1.25)
    owner = _owners(distance, reach)
    # Every zone keeps the land cell nearest its centre; the smallest zones choose first.
    seeded = np.zeros(cell_x.size, dtype=bool)
    for zone in np.argsort(target_cells, kind="stable"):
        for cell in np.argsort(distance[:, zone], kind="stable"):
            if not seeded[cell]:
                owner[cell] = zone
                seeded[cell] = True
                break
    return owner


def _owners(distance: np.ndarray, reach: np.ndarray) -> np.ndarray:
    score = distance / reach[None, :]
    owner = np.argmin(score, axis=1)
    owner[score[np.arange(owner.size), owner] > 1.0] = -1
    return owner
