"""Lambert-93 (EPSG:2154), the official metric projection of metropolitan France.

Closed-form Lambert conformal conic on the GRS80 ellipsoid (IGN, "Projection cartographique
conique conforme de Lambert", NT/G 71). Coordinates are returned in kilometres so that grid
cells, distances and areas read directly in km and km².
"""

from __future__ import annotations

import numpy as np

_A = 6378137.0  # GRS80 semi-major axis, m
_F = 1 / 298.257222101  # GRS80 flattening
_E = np.sqrt(2 * _F - _F**2)
_LAT0, _LON0 = np.radians(46.5), np.radians(3.0)
_LAT1, _LAT2 = np.radians(49.0), np.radians(44.0)
_X0, _Y0 = 700_000.0, 6_600_000.0


def _m(lat: np.ndarray) -> np.ndarray:
    return np.cos(lat) / np.sqrt(1 - (_E * np.sin(lat)) ** 2)


def _t(lat: np.ndarray) -> np.ndarray:
    es = _E * np.sin(lat)
    return np.tan(np.pi / 4 - lat / 2) / ((1 - es) / (1 + es)) ** (_E / 2)


_N = (np.log(_m(_LAT1)) - np.log(_m(_LAT2))) / (np.log(_t(_LAT1)) - np.log(_t(_LAT2)))
_AF = _A * _m(_LAT1) / (_N * _t(_LAT1) ** _N)
_RHO0 = _AF * _t(_LAT0) ** _N


def to_lambert93_km(lon_deg: np.ndarray, lat_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 longitude/latitude (degrees) to Lambert-93 x, y in kilometres."""
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    rho = _AF * _t(lat) ** _N
    theta = _N * (lon - _LON0)
    x = _X0 + rho * np.sin(theta)
    y = _Y0 + _RHO0 - rho * np.cos(theta)
    return x / 1000.0, y / 1000.0


def from_lambert93_km(x_km: np.ndarray, y_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse projection: Lambert-93 kilometres to WGS84 longitude/latitude in degrees."""
    dx = np.asarray(x_km, dtype=float) * 1000.0 - _X0
    dy = _RHO0 - (np.asarray(y_km, dtype=float) * 1000.0 - _Y0)
    rho = np.sign(_N) * np.hypot(dx, dy)
    t = (rho / _AF) ** (1 / _N)
    lon = np.arctan2(dx, dy) / _N + _LON0
    lat = np.pi / 2 - 2 * np.arctan(t)
    for _ in range(8):  # fixed-point iteration converges to < 1e-12 rad in a few steps
        es = _E * np.sin(lat)
        lat = np.pi / 2 - 2 * np.arctan(t * ((1 - es) / (1 + es)) ** (_E / 2))
    return np.degrees(lon), np.degrees(lat)
