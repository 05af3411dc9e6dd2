"""Where in its zone a home is: the cells' weights, the start's homes in priority neighbourhoods
for the poorest, and the cell a move, a new household or an arrival draws.

Homes in a zone are weighted by a density proxy (`home_cell_weights`): the QPV parts of cells hold
their share of the QPV residents (`world/priority.py`), the other cells the zone's other
residents, densest near the zone's centre. QPV are defined by their concentration of low incomes
(ANCT), so at the start each zone's homes in QPV go to its poorest households
(`priority_homes_to_the_poorest`), and later homes are drawn by income quintile
(`home_cell_cdf_by_quintile`): a household of quintile q in zone z lands in a QPV part with the
probability that a resident of quintile q of zone z lived in one at the start, so moves keep the
QPV's income mix as the zones' destination choice keeps theirs.
"""

from __future__ import annotations

import itertools

import numpy as np
from numba import njit

from ampsim.world.household_table import HouseholdArrays
from ampsim.world.income import income_quintile
from ampsim.world.residents import Residents
from ampsim.world.territory import Territory

N_QUINTILES = 5
ALL_INCOMES = N_QUINTILES  # the row of `home_cell_cdf_by_quintile` for an unknown income


def home_cell_weights(territory: Territory, density_length: float) -> np.ndarray:
    """Expected residents of each territory cell, aligned with `grid.zone_cells`.

    A priority neighbourhood's part of a cell holds its share of the QPV residents
    (`territory.priority_residents`). The zone's other residents live in the other cells, each
    weighted by its share covered by its zone outside any QPV times exp(-d / (length x R)), d the
    distance from the zone centre to the cell's part of the zone and R the radius of a disc of the
    zone's area (a density falling from the town centre; `density_length` is the length).
    """
    grid = territory.grid
    radius = np.sqrt(territory.zones["area_km2"].to_numpy() / np.pi)
    cells = grid.zone_cells
    zone = grid.cell_zone[cells]
    dx = grid.home_x_km[cells] - territory.x_km[zone]
    dy = grid.home_y_km[cells] - territory.y_km[zone]
    decay = np.exp(-np.hypot(dx, dy) / (density_length * radius[zone]))
    # the land of a cell outside its QPV part (at least 1 % of it, so every zone keeps a place)
    priority_share = np.bincount(grid.cell_flat, grid.cell_priority_km2, minlength=grid.nx * grid.ny)
    land = grid.cell_land_share[cells]
    outside = np.maximum(land - priority_share[grid.cell_flat[cells]] / grid.cell_area_km2, 0.01 * land)
    ordinary = np.where(grid.cell_priority[cells], 0.0, outside * decay)
    in_priority = territory.priority_residents[cells]
    others = territory.population - np.bincount(zone, in_priority, minlength=territory.n_zones)
    ordinary_total = np.bincount(zone, ordinary, minlength=territory.n_zones)
    return in_priority + ordinary * (others / ordinary_total)[zone]


def home_cell_cdf(territory: Territory, density_length: float) -> np.ndarray:
    """Cumulative home-cell probabilities inside each zone, aligned with `grid.zone_cells`;
    each zone's block ends at 1."""
    return _cumulative_by_zone(home_cell_weights(territory, density_length), territory.grid.zone_cell_start)


def _cumulative_by_zone(weight: np.ndarray, zone_cell_start: np.ndarray) -> np.ndarray:
    cdf = np.empty_like(weight)
    for first, last in itertools.pairwise(zone_cell_start):
        cumulative = np.cumsum(weight[first:last])
        cdf[first:last] = cumulative / cumulative[-1]
    return cdf


def draw_home_cells(
    territory: Territory, counts: np.ndarray, density_length: float, rng: np.random.Generator
) -> np.ndarray:
    """A home cell inside each resident's zone (`counts` residents per zone, in zone order)."""
    grid = territory.grid
    cdf = home_cell_cdf(territory, density_length)
    home = np.empty(int(counts.sum()), dtype=grid.home_cell_dtype())
    start = 0
    for z, count in enumerate(counts):
        first, last = grid.zone_cell_start[z], grid.zone_cell_start[z + 1]
        picks = np.searchsorted(cdf[first:last], rng.random(count), side="right")
        home[start : start + count] = grid.zone_cells[first + np.minimum(picks, last - first - 1)]
        start += count
    return home


def priority_homes_to_the_poorest(
    home: np.ndarray,
    zone: np.ndarray,
    income: np.ndarray,
    cell_priority: np.ndarray,
    noise: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """The households' home cells shuffled within each zone so that the homes drawn in priority
    neighbourhoods go to the households with the lowest log income + `noise` x a normal draw.
    Each zone keeps the homes drawn."""
    n = home.size
    score = np.log(np.maximum(income.astype(np.float64), 1.0)) + noise * rng.standard_normal(n)
    by_score = np.lexsort((score, zone))  # zone by zone, the lowest score first
    by_place = np.lexsort((rng.random(n), ~cell_priority[home], zone))  # zone by zone, QPV homes first
    shuffled = np.empty_like(home)
    shuffled[by_score] = home[by_place]
    return shuffled


def sort_priority_homes(
    residents: Residents, households: HouseholdArrays, cell_priority: np.ndarray, noise: float, rng
) -> None:
    """Give each zone's homes in QPV to its poorest households by their present incomes (in place,
    households and residents alike): at the start of a run, once incomes follow jobs and benefits."""
    rows = np.flatnonzero(households.size > 0)
    households.home_cell[rows] = priority_homes_to_the_poorest(
        households.home_cell[rows],
        households.zone[rows],
        residents.income[households.head[rows]],
        cell_priority,
        noise,
        rng,
    )
    present = np.flatnonzero(residents.present())
    residents.home_cell[present] = households.home_cell[residents.household[present]]


def home_cell_cdf_by_quintile(
    territory: Territory, density_length: float, residents: Residents, quintile_edges: np.ndarray
) -> np.ndarray:
    """(N_QUINTILES + 1, cells) cumulative probabilities, aligned with `grid.zone_cells`: row q
    for a household of income quintile q, row `ALL_INCOMES` for any. In each zone the QPV parts
    together take the share of the zone's residents of that quintile (of all, for the last row)
    who live in a QPV now (`residents`, at the start); inside the QPV parts and inside the rest,
    the cells keep their weights."""
    grid = territory.grid
    weight = home_cell_weights(territory, density_length)
    share = priority_share_by_quintile(territory, residents, quintile_edges)
    in_priority = grid.cell_priority[grid.zone_cells]
    zone = grid.cell_zone[grid.zone_cells]
    n = territory.n_zones
    priority_total = np.bincount(zone, np.where(in_priority, weight, 0.0), minlength=n)
    other_total = np.bincount(zone, np.where(in_priority, 0.0, weight), minlength=n)
    rows = []
    for q in range(N_QUINTILES + 1):
        target = share[:, q]
        priority_scale = np.divide(target, priority_total, out=np.zeros(n), where=priority_total > 0)
        other_scale = np.divide(1 - target, other_total, out=np.zeros(n), where=other_total > 0)
        scaled = weight * np.where(in_priority, priority_scale[zone], other_scale[zone])
        keep = (scaled.sum() == 0) | (np.bincount(zone, scaled, minlength=n)[zone] <= 0)
        rows.append(_cumulative_by_zone(np.where(keep, weight, scaled), grid.zone_cell_start))
    return np.ascontiguousarray(np.vstack(rows))


def priority_share_by_quintile(
    territory: Territory, residents: Residents, quintile_edges: np.ndarray
) -> np.ndarray:
    """(zones, N_QUINTILES + 1): the share of each zone's present residents of each income
    quintile (last column: of all) who live in a QPV; a quintile absent from a zone takes the
    zone's overall share."""
    present = residents.present()
    zone = residents.zone[present].astype(np.int64)
    quintile = np.searchsorted(quintile_edges, residents.income[present], side="right")
    inside = territory.grid.cell_priority[residents.home_cell[present]]
    n = territory.n_zones
    counts = np.zeros((n, N_QUINTILES + 1))
    qpv = np.zeros((n, N_QUINTILES + 1))
    np.add.at(counts, (zone, quintile), 1.0)
    np.add.at(qpv, (zone, quintile), inside.astype(float))
    counts[:, N_QUINTILES] = counts[:, :N_QUINTILES].sum(axis=1)
    qpv[:, N_QUINTILES] = qpv[:, :N_QUINTILES].sum(axis=1)
    overall = np.divide(qpv[:, N_QUINTILES], counts[:, N_QUINTILES], out=np.zeros(n), where=counts[:, -1] > 0)
    share = np.divide(qpv, counts, out=np.repeat(overall[:, None], N_QUINTILES + 1, axis=1), where=counts > 0)
    return share


@njit(cache=True, inline="always")
def draw_home_cell(u, zone, zone_cell_start, zone_cells, cell_cdf):  # pragma: no cover - compiled
    """The home cell in `zone` that the uniform draw `u` picks from one row of a home-cell CDF."""
    first, last = zone_cell_start[zone], zone_cell_start[zone + 1]
    pick = np.searchsorted(cell_cdf[first:last], u, side="right")
    return zone_cells[first + min(pick, last - first - 1)]


@njit(cache=True, inline="always")
def draw_home_cell_for(
    u, zone, income, quintile_edges, zone_cell_start, zone_cells, cdf_by_quintile
):  # pragma: no cover
    """The home cell in `zone` for a household of `income` (per consumption unit)."""
    q = income_quintile(income, quintile_edges)
    return draw_home_cell(u, zone, zone_cell_start, zone_cells, cdf_by_quintile[q])
