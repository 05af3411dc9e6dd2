"""The territory: the metropolis's 107 zones, their figures, distances, neighbours and grid.

Zones are the 91 communes other than Marseille plus Marseille's 16 arrondissements (INSEE
13201-13216), which replace the commune of Marseille (13055) so that nobody counts twice. The
commune of Marseille stays available for lookups: selecting it selects its arrondissements.
"""

from __future__ import annotations

import difflib
import functools
import unicodedata
from importlib import resources

import numpy as np
import pandas as pd

from ampsim.core.errors import InputError
from ampsim.world.geometry import points_lambert93_km, priority_neighbourhoods, zone_shapes
from ampsim.world.grid import Grid, build_grid
from ampsim.world.priority import add_priority_parts, priority_residents_by_cell
from ampsim.world.roads import ROAD_CIRCUITY, Roads, road_network

MARSEILLE_CODE = 13055
MAP_TOWNS = (  # the towns named on maps, largest first
    "Marseille 1er Arrondissement",
    "Aix-en-Provence",
    "Martigues",
    "Aubagne",
    "Salon-de-Provence",
    "Istres",
    "La Ciotat",
    "Vitrolles",
)
MAX_QUERY_CHARS = 100  # a zone name or code as a user gives it (the longest name has 36)
MIN_INTRA_ZONE_KM = 1.0  # shortest home-work distance inside a zone
POVERTY_THRESHOLD_EUR = 13_896.0  # 60 % of the national median standard of living, 2021, €/year/UC


def read_data_csv(name: str, **kwargs) -> pd.DataFrame:
    """Read one of the project's data files (ampsim/data/NAME)."""
    with resources.files("ampsim.world.data").joinpath(name).open("rb") as handle:
        return pd.read_csv(handle, **kwargs)


class Territory:
    """The 107 zones with their data, the distance matrices, the neighbour graph and the grid.

    `distance_km` is the straight line between zone centres (plumes, an incubator's reach);
    `commute_km` the road-like distance people travel (`world/roads.py`).
    Zone index i (0..106) is the row of `zones`; all per-zone arrays in the model use it.
    """

    def __init__(self, table: pd.DataFrame, sea_polygons_lonlat: list[np.ndarray], cell_km: float):
        table = table.copy()
        table["x_km"], table["y_km"] = points_lambert93_km(table["lon"].to_numpy(), table["lat"].to_numpy())
        self.communes = table[table["kind"] == "commune"].reset_index(drop=True)
        zones = table[table["insee_code"] != MARSEILLE_CODE].copy()
        zones = zones.sort_values("insee_code", kind="stable").reset_index(drop=True)
        self.zones = zones
        self.codes = zones["insee_code"].to_numpy(np.int64)
        # the commune of each zone: Marseille's arrondissements are one commune
        self.commune_codes = np.where(self.codes // 100 == 132, MARSEILLE_CODE, self.codes)
        self.names = zones["name"].tolist()
        self.population = zones["population"].to_numpy(np.int64)
        self.x_km = zones["x_km"].to_numpy()
        self.y_km = zones["y_km"].to_numpy()
        self.distance_km = np.hypot(
            self.x_km[:, None] - self.x_km[None, :], self.y_km[:, None] - self.y_km[None, :]
        )
        self.sea_polygons_km = [
            np.column_stack(points_lambert93_km(poly[:, 0], poly[:, 1])) for poly in sea_polygons_lonlat
        ]
        self.shapes = zone_shapes(tuple(int(code) for code in self.codes))
        self.priority_table, priority_polygons = priority_neighbourhoods()
        self.grid: Grid = add_priority_parts(
            build_grid(self.shapes.polygons, self.sea_polygons_km, cell_km),
            self.shapes.polygons,
            priority_polygons,
        )
        # residents of each territory cell's QPV part at the start (0 for the other cells)
        self.priority_residents = priority_residents_by_cell(self.grid, self.population)
        self.adjacency = _adjacency_from_grid(self.grid.zone_of_cell, self.n_zones)
        self.roads: Roads = road_network(self.grid, self.x_km, self.y_km)
        self.commute_km = _commute_distances(self.roads.distance_km, zones["area_km2"].to_numpy())
        for array in (
            self.codes,
            self.commune_codes,
            self.population,
            self.x_km,
            self.y_km,
            self.distance_km,
            self.commute_km,
            self.adjacency,
            self.priority_residents,
        ):
            array.setflags(write=False)
        self._lookup = _lookup_table(table)
        self._display_names = dict(zip(table["insee_code"].astype(int), table["name"], strict=True))

    @property
    def n_zones(self) -> int:
        return len(self.codes)

    @property
    def total_population(self) -> int:
        return int(self.population.sum())

    @functools.cached_property
    def outlines(self) -> tuple[tuple[np.ndarray, ...], ...]:
        """Each zone's rings for maps (Lambert-93 km, simplified to 150 m), computed on first use."""
        return self.shapes.outlines()

    def town_labels(self, towns: tuple[str, ...] = MAP_TOWNS) -> list[tuple[str, float, float]]:
        """(label, x km, y km) of the named towns, Marseille at its 1st arrondissement."""
        chosen = [self.names.index(name) for name in towns if name in self.names]
        return [
            (self.names[i].replace(" 1er Arrondissement", ""), float(self.x_km[i]), float(self.y_km[i]))
            for i in chosen
        ]

    def neighbours(self, zone: int) -> np.ndarray:
        """Indices of the zones that share a border with `zone` on the grid."""
        return np.flatnonzero(self.adjacency[zone])

    def select(self, query: str | int) -> np.ndarray:
        """Zone indices for an INSEE code or a name; the commune of Marseille gives its 16 arrondissements."""
        key = _normalise(str(query))
        code = self._lookup.get(key)
        if code is None:
            raise InputError(_unknown_zone_message(str(query), self._lookup, self._display_names))
        if code == MARSEILLE_CODE:
            return np.flatnonzero((self.codes // 100) == 132)
        return np.flatnonzero(self.codes == code)

    def zone_index(self, query: str | int) -> int:
        """Index of exactly one zone, given by INSEE code or name."""
        found = self.select(query)
        if found.size != 1:
            raise InputError(
                f"zone {query!r}: Marseille is split into its 16 arrondissements; "
                "name one of them, e.g. 'Marseille 3e' or 13203"
            )
        return int(found[0])

    def zone(self, query: str | int) -> pd.Series:
        """The data row of one zone."""
        return self.zones.iloc[self.zone_index(query)]


@functools.lru_cache(maxsize=4)
def load_territory(cell_km: float = 1.0) -> Territory:
    """The territory from the project's data files, with a grid of `cell_km` kilometres."""
    table = read_data_csv("zones.csv")
    sea = read_data_csv("sea.csv")
    polygons = [group[["lon", "lat"]].to_numpy() for _, group in sea.groupby("polygon", sort=False)]
    return Territory(table, polygons, cell_km)


def _commute_distances(road_km: np.ndarray, area_km2: np.ndarray) -> np.ndarray:
    """Home-work distances between zones (km): the road-like distances (`world/roads.py`); inside
    a zone, the mean distance between two random points of a disc of the zone's area (0.905 R)
    times the road circuity, at least 1 km."""
    distance = road_km.copy()
    radius = np.sqrt(area_km2 / np.pi)
    np.fill_diagonal(distance, np.maximum(ROAD_CIRCUITY * 0.905 * radius, MIN_INTRA_ZONE_KM))
    return distance


def _adjacency_from_grid(zone_of_cell: np.ndarray, n_zones: int) -> np.ndarray:
    """Zones are neighbours when two of their cells share an edge."""
    adjacency = np.zeros((n_zones, n_zones), dtype=bool)
    for a, b in (
        (zone_of_cell[:, :-1], zone_of_cell[:, 1:]),
        (zone_of_cell[:-1, :], zone_of_cell[1:, :]),
    ):
        touching = (a >= 0) & (b >= 0) & (a != b)
        adjacency[a[touching], b[touching]] = True
    return adjacency | adjacency.T


def _normalise(text: str) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces: 'Berre-l'Étang' -> 'berre l etang'.

    NFKC first, so that look-alike forms of Latin letters and digits (fullwidth '１３２０１', a
    superscript '²') become them; other letters and digits (Cyrillic 'З', Arabic-Indic '٥') are
    kept as they are, so that they match no zone instead of vanishing."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    for mark in "-'’_,.":
        text = text.replace(mark, " ")
    return " ".join(text.lower().split())


def _lookup_table(table: pd.DataFrame) -> dict[str, int]:
    """Every accepted spelling of a zone (code, name, short arrondissement names) to its code."""
    lookup: dict[str, int] = {}
    for code, name in zip(table["insee_code"], table["name"], strict=True):
        lookup[str(code)] = int(code)
        lookup[_normalise(name)] = int(code)
        if 13201 <= code <= 13216:
            number = code - 13200
            suffix = "er" if number == 1 else "e"
            for alias in (f"Marseille {number}{suffix}", f"Marseille {number}"):
                lookup[_normalise(alias)] = int(code)
    return lookup


def _unknown_zone_message(query: str, lookup: dict[str, int], display: dict[int, str]) -> str:
    wanted = _normalise(query)[:MAX_QUERY_CHARS]
    containing = [key for key in lookup if wanted and (wanted in key.split() or key.startswith(wanted + " "))]
    similar = difflib.get_close_matches(wanted, list(lookup), n=10, cutoff=0.6)
    codes = list(dict.fromkeys(lookup[key] for key in containing + similar))[:5]
    shown = query if len(query) <= MAX_QUERY_CHARS else query[: MAX_QUERY_CHARS - 3] + "..."
    message = f"unknown zone {shown!r}: expected an INSEE code or a commune or arrondissement name"
    foreign = [char for char in dict.fromkeys(wanted) if not char.isascii()][:3]
    if foreign:
        names = ", ".join(
            f"{char!r} ({unicodedata.name(char, 'unnamed character').lower()})" for char in foreign
        )
        message += f" (it contains {names}, which no zone name has)"
    if codes:
        message += "; closest matches: " + ", ".join(f"{display[code]} ({code})" for code in codes)
    return message
