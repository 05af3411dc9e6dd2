"""The regular grid over the territory: land and sea, and which zone owns each land cell.

A cell belongs to the zone whose polygon (IGN ADMIN EXPRESS communes and Marseille's
arrondissements, `world/geometry.py`) covers most of it, when the zones together cover at least
half of it; the other cells are not the territory's. So the polygons are the land mask of the
metropolis: the Étang de Berre, a hole in their union, holds no cell, and the coast is the real
one. Every zone owns at least the cell it covers most, the smallest zones choosing first, so even
the 1.8 km² 1st arrondissement exists at 1 km resolution. Outside the territory, the sea outline
(`sea.csv`) tells the sea from the land beyond the metropolis (which only the distance to the
boundary uses); cells the zones partly cover are never that land.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from matplotlib.path import Path
from shapely.geometry.base import BaseGeometry

from ampsim.core.errors import InputError

MIN_CELL_KM = 0.25
MAX_CELL_KM = 5.0
_MARGIN_KM = 15.0
MIN_LAND_SHARE = 0.5  # of a cell the zones must cover for it to be the territory's


@dataclass(frozen=True, eq=False)
class Grid:
    """A regular grid in Lambert-93 kilometres and the territory cells on it.

    The full rectangle (`ny` x `nx`) carries fields that also live over the sea (pollution);
    territory cells are the land cells owned by a zone, numbered 0..n_cells-1, and residents'
    home cells are those numbers. A grid cell that a priority neighbourhood covers in part has a
    second territory cell, its part in the QPV, appended after the others (`world/priority.py`).
    """

    cell_km: float
    x0_km: float  # west edge of column 0
    y0_km: float  # south edge of row 0
    nx: int
    ny: int
    land: np.ndarray  # bool (ny, nx): a territory cell, or beyond the territory and not in the sea
    zone_of_cell: np.ndarray  # int16 (ny, nx): owning zone index, -1 outside the territory
    cell_flat: np.ndarray  # int32 (n_cells,): flat index (row * nx + col) of each territory cell
    cell_zone: np.ndarray  # int16 (n_cells,): zone index of each territory cell
    cell_x_km: np.ndarray  # float64 (n_cells,): cell centre
    cell_y_km: np.ndarray
    zone_cell_start: np.ndarray  # int32 (n_zones + 1,): territory cells of zone z are
    zone_cells: np.ndarray  # zone_cells[zone_cell_start[z]:zone_cell_start[z + 1]]
    cell_land_share: (
        np.ndarray
    )  # float64 (n_cells,): share of each cell its zone covers (of a QPV part: its QPV)
    home_x_km: np.ndarray  # float64 (n_cells,): a point of the cell inside its zone's polygon, where
    home_y_km: np.ndarray  # its homes are (the cell centre may lie in a neighbour, or at sea)
    cell_priority_km2: np.ndarray  # float64 (n_cells,): QPV area of a priority part, 0 elsewhere

    @property
    def cell_priority(self) -> np.ndarray:
        """True for the territory cells that are parts of priority neighbourhoods (QPV)."""
        return self.cell_priority_km2 > 0

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
        """Area of each zone on the grid (its grid cells x cell area; QPV parts are not more land)."""
        n_zones = self.zone_cell_start.size - 1
        ordinary = ~self.cell_priority
        return np.bincount(self.cell_zone[ordinary], minlength=n_zones) * self.cell_area_km2

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
    zone_polygons: tuple[BaseGeometry, ...], sea_polygons_km: list[np.ndarray], cell_km: float = 1.0
) -> Grid:
    """Lay a grid over the zones' polygons (Lambert-93 km) and give each cell to the zone that
    covers most of it."""
    cell_km = check_cell_km(cell_km)
    west, south, east, north = shapely.bounds(shapely.union_all(zone_polygons))
    x0 = np.floor((west - _MARGIN_KM) / cell_km) * cell_km
    y0 = np.floor((south - _MARGIN_KM) / cell_km) * cell_km
    nx = int(np.ceil((east + _MARGIN_KM - x0) / cell_km))
    ny = int(np.ceil((north + _MARGIN_KM - y0) / cell_km))
    centres_x = x0 + (np.arange(nx) + 0.5) * cell_km
    centres_y = y0 + (np.arange(ny) + 0.5) * cell_km
    grid_x, grid_y = np.meshgrid(centres_x, centres_y)
    cover = zone_cover(zone_polygons, float(x0), float(y0), nx, ny, cell_km)  # (n_zones, ny * nx)
    owner = _owners(cover)
    zone_of_cell = owner.astype(np.int16)
    beyond = (cover.sum(axis=0) == 0) & ~in_any_polygon(grid_x.ravel(), grid_y.ravel(), sea_polygons_km)
    land = (zone_of_cell >= 0) | beyond
    cell_flat = np.flatnonzero(zone_of_cell >= 0).astype(np.int32)
    cell_zone = zone_of_cell[cell_flat]
    order = np.argsort(cell_zone, kind="stable")
    counts = np.bincount(cell_zone, minlength=len(zone_polygons))
    return Grid(
        cell_km=cell_km,
        x0_km=float(x0),
        y0_km=float(y0),
        nx=nx,
        ny=ny,
        land=land.reshape(ny, nx),
        zone_of_cell=zone_of_cell.reshape(ny, nx),
        cell_flat=cell_flat,
        cell_zone=cell_zone,
        cell_x_km=grid_x.ravel()[cell_flat],
        cell_y_km=grid_y.ravel()[cell_flat],
        zone_cell_start=np.concatenate([[0], np.cumsum(counts)]).astype(np.int32),
        zone_cells=order.astype(np.int32),
        cell_land_share=cover[cell_zone, cell_flat],
        cell_priority_km2=np.zeros(cell_flat.size),
        **_home_points(
            zone_polygons, cell_zone, grid_x.ravel()[cell_flat], grid_y.ravel()[cell_flat], cell_km
        ),
    )


def _home_points(
    zone_polygons: tuple[BaseGeometry, ...],
    cell_zone: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    cell_km: float,
) -> dict[str, np.ndarray]:
    """A point inside each territory cell's part of its zone's polygon (shapely's point on surface)."""
    half = cell_km / 2
    boxes = shapely.box(x - half, y - half, x + half, y + half)
    polygons = np.array(zone_polygons, dtype=object)[cell_zone]
    points = shapely.point_on_surface(shapely.intersection(boxes, polygons))
    return {"home_x_km": shapely.get_x(points), "home_y_km": shapely.get_y(points)}


def zone_cover(
    zone_polygons: tuple[BaseGeometry, ...], x0: float, y0: float, nx: int, ny: int, cell_km: float
) -> np.ndarray:
    """Share of each cell of the rectangle (flat index) that each zone's polygon covers."""
    cover = np.zeros((len(zone_polygons), ny * nx))
    for zone, polygon in enumerate(zone_polygons):
        west, south, east, north = polygon.bounds
        cols = np.arange(max(int((west - x0) // cell_km), 0), min(int((east - x0) // cell_km) + 1, nx))
        rows = np.arange(max(int((south - y0) // cell_km), 0), min(int((north - y0) // cell_km) + 1, ny))
        col, row = (a.ravel() for a in np.meshgrid(cols, rows))
        boxes = shapely.box(
            x0 + col * cell_km, y0 + row * cell_km, x0 + (col + 1) * cell_km, y0 + (row + 1) * cell_km
        )
        cover[zone, row * nx + col] = shapely.area(shapely.intersection(boxes, polygon)) / cell_km**2
    return cover


def _owners(cover: np.ndarray) -> np.ndarray:
    """Owner zone of each cell (-1 for none): the zone covering most of it where the zones cover at
    least `MIN_LAND_SHARE` of it; then every zone keeps the cell it covers most, the smallest zones
    first."""
    owner = np.where(cover.sum(axis=0) >= MIN_LAND_SHARE, np.argmax(cover, axis=0), -1)
    kept = np.zeros(owner.size, dtype=bool)
    for zone in np.argsort(cover.sum(axis=1), kind="stable"):
        for cell in np.argsort(-cover[zone], kind="stable"):
            if not kept[cell]:
                owner[cell] = zone
                kept[cell] = True
                break
    return owner


def in_any_polygon(x: np.ndarray, y: np.ndarray, polygons: list[np.ndarray]) -> np.ndarray:
    """True where a point lies inside any of the polygons (each an (n, 2) array of vertices)."""
    points = np.column_stack([x, y])
    inside = np.zeros(points.shape[0], dtype=bool)
    for vertices in polygons:
        inside |= Path(vertices).contains_points(points)
    return inside
