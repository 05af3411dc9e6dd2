"""Road-like distances between zones: the way round the water, times the road network's detour.

A straight line from Martigues to Berre-l'Étang crosses the Étang de Berre, one from Fos to
Port-Saint-Louis the Golfe de Fos; roads go round them. The distance between two zones is their
straight-line distance times two factors:
- the water detour: the shortest path over the grid's land cells (the territory and the land
  beyond it, never the sea or the Étang) divided by the same path on a grid that is all land, so it
  is exactly 1 where nothing is in the way and does not depend on the grid's discretisation;
- the road network's own circuity (`ROAD_CIRCUITY`), the ratio of road to straight-line distance
  where no water is in the way.
Paths use 16 moves (the 8 neighbours and the 8 knight's moves), which follow a straight line
within 3 % in any direction. Relief (the Calanques, the Étoile, Sainte-Victoire) is not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from ampsim.world.grid import Grid

ROAD_CIRCUITY = 1.3  # road / straight-line distance with no water in the way; see its source below
ROAD_CIRCUITY_SOURCE = (
    "average radial detour of road routes 1.343 over 300 European cities (Environment and Planning B, "
    "2023, doi:10.1177/23998083231168870), which includes their water and relief; motorway networks "
    "about 1.3 (Wang, Bette, Schreckenberg & Guhr 2024, arXiv:2406.06490); 1.3 here, the water being "
    "modelled apart"
)
# (row step, column step, offsets of the cells the move's segment crosses besides its ends); a
# diagonal move needs only one of its two corner cells (see `_edges`)
_MOVES = (
    (0, 1, ()),
    (1, 0, ()),
    (1, 1, ()),
    (1, -1, ()),
    (1, 2, ((0, 1), (1, 1))),
    (2, 1, ((1, 0), (1, 1))),
    (1, -2, ((0, -1), (1, -1))),
    (2, -1, ((1, 0), (1, -1))),
)


@dataclass(frozen=True, eq=False)
class Roads:
    """Road-like distances between n points and the land paths between their cells."""

    distance_km: np.ndarray  # float64 (n, n): straight line x water detour x ROAD_CIRCUITY
    water_detour: np.ndarray  # float64 (n, n): at least 1
    path_pair: np.ndarray  # int64: the pair (i * n + j) of each entry of the paths table
    path_cell: np.ndarray  # int64: a full-grid flat cell on the land path of that pair
    path_share: np.ndarray  # float64: that cell's share of the path (a pair's shares sum to 1)


def road_network(grid: Grid, x_km: np.ndarray, y_km: np.ndarray) -> Roads:
    """The road-like distances and land paths between the points (x_km, y_km) (zone centres)."""
    cells = _cells_of(grid, x_km, y_km)
    graph = _edges(grid.land)
    over_land, predecessors = csgraph.dijkstra(graph, directed=False, indices=cells, return_predecessors=True)
    over_land = over_land[:, cells]
    if not np.isfinite(over_land).all():
        raise ValueError("two zones have no land path between them on the grid")
    unobstructed = csgraph.dijkstra(_edges(np.ones_like(grid.land)), directed=False, indices=cells)[:, cells]
    with np.errstate(invalid="ignore", divide="ignore"):
        detour = np.maximum(np.where(unobstructed > 0, over_land / unobstructed, 1.0), 1.0)
    straight = np.hypot(x_km[:, None] - x_km[None, :], y_km[:, None] - y_km[None, :])
    pair, cell, share = _path_table(cells, predecessors)
    return Roads(ROAD_CIRCUITY * straight * detour, detour, pair, cell, share)


def _path_table(cells: np.ndarray, predecessors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every cell of the shortest path between each ordered pair of distinct points, with an equal
    share of the path; traced back from all targets of a source at once."""
    n = cells.size
    pairs, path_cells = [], []
    for i in range(n):
        targets = np.flatnonzero(np.arange(n) != i)
        current = cells[targets].astype(np.int64)
        walking = np.ones(targets.size, dtype=bool)
        while walking.any():
            pairs.append(i * n + targets[walking])
            path_cells.append(current[walking])
            walking &= current != cells[i]
            current = np.where(walking, predecessors[i, np.maximum(current, 0)], current)
    pair = np.concatenate(pairs)
    order = np.argsort(pair, kind="stable")
    pair, cell = pair[order], np.concatenate(path_cells)[order]
    length = np.bincount(pair, minlength=n * n)
    return pair, cell, 1.0 / length[pair]


def _cells_of(grid: Grid, x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
    """Flat index of the land cell nearest each point (its own cell when it is land)."""
    rows, cols = np.nonzero(grid.land)
    centre_x = grid.x0_km + (cols + 0.5) * grid.cell_km
    centre_y = grid.y0_km + (rows + 0.5) * grid.cell_km
    gap = np.hypot(centre_x[None, :] - x_km[:, None], centre_y[None, :] - y_km[:, None])
    nearest = np.argmin(gap, axis=1)
    return rows[nearest] * grid.nx + cols[nearest]


def _edges(passable: np.ndarray) -> sparse.csr_matrix:
    """The 16-move graph over the passable cells: a move joins two passable cells whose segment
    crosses only passable cells (a diagonal, one of its two corner cells)."""
    ny, nx = passable.shape
    index = np.arange(ny * nx).reshape(ny, nx)
    sources, targets, lengths = [], [], []
    for dr, dc, crossed in _MOVES:
        low, high = max(0, -dc), nx - max(0, dc)

        def moved(array: np.ndarray, a: int, b: int, dr: int = dr, low: int = low, high: int = high):
            """array at offset (a, b) from every cell the move can start from."""
            return array[a : ny - dr + a, low + b : high + b]

        ok = moved(passable, 0, 0) & moved(passable, dr, dc)
        for a, b in crossed:
            ok &= moved(passable, a, b)
        if dr == 1 and abs(dc) == 1:
            ok &= moved(passable, 0, dc) | moved(passable, 1, 0)
        sources.append(moved(index, 0, 0)[ok])
        targets.append(moved(index, dr, dc)[ok])
        lengths.append(np.full(int(ok.sum()), np.hypot(dr, dc)))
    n = ny * nx
    return sparse.csr_matrix(
        (np.concatenate(lengths), (np.concatenate(sources), np.concatenate(targets))), shape=(n, n)
    )
