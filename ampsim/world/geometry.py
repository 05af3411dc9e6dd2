"""The territory's real shapes: the 107 zone polygons (IGN ADMIN EXPRESS communes and Marseille's
16 arrondissements) and the 66 priority neighbourhoods of 2024 (QPV, ANCT), read from the project's
GeoJSON files (`ampsim/world/data/geo/`, provenance in its README) and projected with pyproj to
Lambert-93 (EPSG:2154) kilometres, the grid's coordinates, as shapely geometries.

The union of the zones is the metropolis's land: it leaves the Étang de Berre (and the Étang de
Vaïne) as a hole and follows the real coast.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ampsim.core.errors import InputError

GEO_PACKAGE = "ampsim.world.data.geo"
ATTRIBUTION = (
    "Contours des communes : IGN ADMIN EXPRESS COG 2018, Licence Ouverte (Etalab). Arrondissements de "
    "Marseille : IGN IRIS-GE agrégés (« Quartiers de Marseille », data.gouv.fr), Licence Ouverte 2.0. "
    "Quartiers prioritaires 2024 : ANCT, Licence Ouverte. Données assemblées et simplifiées."
)


@cache
def _to_lambert93() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)


def lambert93_km(geometry: BaseGeometry) -> BaseGeometry:
    """A lon/lat (WGS84) geometry in Lambert-93 kilometres."""
    transformer = _to_lambert93()

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y]) / 1000.0

    return shapely.transform(geometry, project)


def points_lambert93_km(lon_deg: np.ndarray, lat_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 points in Lambert-93 kilometres (pyproj)."""
    x, y = _to_lambert93().transform(np.asarray(lon_deg, float), np.asarray(lat_deg, float))
    return np.asarray(x) / 1000.0, np.asarray(y) / 1000.0


def _features(name: str) -> list[dict]:
    with resources.files(GEO_PACKAGE).joinpath(name).open("rb") as handle:
        return json.load(handle)["features"]


@dataclass(frozen=True)
class ZoneShapes:
    """Each zone's polygon in Lambert-93 km, in the territory's zone order (by INSEE code)."""

    codes: np.ndarray  # int64 (n_zones,)
    polygons: tuple[BaseGeometry, ...]

    def land(self) -> BaseGeometry:
        """The metropolis's land: the union of its zones."""
        return shapely.union_all(self.polygons)

    def outlines(self, tolerance_km: float = 0.15) -> tuple[tuple[np.ndarray, ...], ...]:
        """Each zone's rings for drawing, (k, 2) arrays in Lambert-93 km: every part's exterior
        counter-clockwise then its holes clockwise (so a nonzero or even-odd fill keeps the holes),
        simplified to `tolerance_km` without breaking the topology."""
        return tuple(_rings(polygon, tolerance_km) for polygon in self.polygons)

    def zone_at(self, x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
        """Index of the zone whose polygon holds each point, -1 where none does."""
        points = shapely.points(np.asarray(x_km, float), np.asarray(y_km, float))
        zone = np.full(points.shape, -1, dtype=np.int64)
        tree = shapely.STRtree(list(self.polygons))
        point_index, polygon_index = tree.query(points, predicate="within")
        zone[point_index] = polygon_index
        return zone


def _rings(geometry: BaseGeometry, tolerance_km: float) -> tuple[np.ndarray, ...]:
    simple = shapely.simplify(geometry, tolerance_km, preserve_topology=True)
    rings: list[np.ndarray] = []
    for part in getattr(simple, "geoms", [simple]):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        part = shapely.geometry.polygon.orient(part, 1.0)
        rings.append(np.asarray(part.exterior.coords))
        rings.extend(np.asarray(hole.coords) for hole in part.interiors)
    return tuple(rings)


@cache
def zone_shapes(codes: tuple[int, ...]) -> ZoneShapes:
    """The polygons of the zones `codes` (the territory's order), or InputError if one is missing."""
    by_code = {int(f["properties"]["code"]): shape(f["geometry"]) for f in _features("zones.geojson")}
    missing = [code for code in codes if code not in by_code]
    if missing:
        raise InputError(f"world/data/geo/zones.geojson: no polygon for zone(s) {missing[:5]}")
    polygons = tuple(shapely.make_valid(lambert93_km(by_code[code])) for code in codes)
    return ZoneShapes(np.array(codes, dtype=np.int64), polygons)


@cache
def priority_neighbourhoods() -> tuple[pd.DataFrame, tuple[BaseGeometry, ...]]:
    """The 66 QPV of 2024 in the metropolis: their table (code, name, commune, main zone, area)
    and their polygons in Lambert-93 km, in the same order."""
    with resources.files(GEO_PACKAGE).joinpath("qpv_amp.csv").open("rb") as handle:
        table = pd.read_csv(handle, dtype={"insee_com": str, "main_zone": str, "zones": str})
    features = {f["properties"]["code_qp"]: f for f in _features("qpv_amp.geojson")}
    polygons = tuple(
        shapely.make_valid(lambert93_km(shape(features[c]["geometry"]))) for c in table["code_qp"]
    )
    return table, polygons
