"""The near-road increment: a traffic station samples its street, not its cell's mean.

A street of road type t carries V_t vehicles a day (`near_road_daily_vehicles`); with emission
factor EF (g/km) its line emission is q = V_t EF / 86,400 s (µg/m/s). At the road edge the
increment is q D_t (`near_road_dilution_s_per_m2`, the street's dilution in a month of average
wind), scaled by the month's wind (sum over regimes of w_r / u_r, relative to its annual mean
under the climatology) and decaying as exp(-k d) over the point's distance d from the edge.
The street follows its zone: its traffic and fleet move with the zone's road levers and with the
month's simulated traffic in the zone relative to the start's (month 0, after the spin-up).
"""

from __future__ import annotations

import math

import numpy as np

from ampsim.submodels.pollution.dispersion import regime_weights, wind_regimes
from ampsim.submodels.pollution.parameters import ROAD_TYPES, PollutionParameters

SECONDS_PER_DAY = 86_400.0


def road_type_index(road_types: np.ndarray) -> np.ndarray:
    """Index in ROAD_TYPES of each point's road type, -1 where it is "" (not at a road)."""
    names = np.asarray(road_types, dtype=object)
    unknown = sorted({str(t) for t in names} - {*ROAD_TYPES, ""})
    if unknown:
        raise ValueError(f"road_type: unknown {unknown}; expected one of {list(ROAD_TYPES)} or ''")
    lookup = {name: i for i, name in enumerate(ROAD_TYPES)}
    return np.array([lookup.get(str(t), -1) for t in names], dtype=np.int64)


def inverse_wind(params: PollutionParameters, weights: np.ndarray) -> float:
    """The month's mean of 1 / wind speed (s/m) over its regimes."""
    speeds = np.array([r.speed for r in wind_regimes(params)])
    return float(weights @ (1.0 / speeds))


def climatological_inverse_wind(params: PollutionParameters) -> float:
    """The year's mean of `inverse_wind` under the monthly regime climatology."""
    return float(np.mean([inverse_wind(params, regime_weights(params, m)) for m in range(1, 13)]))


def line_emission_ug_per_m_s(vehicles_per_day: np.ndarray, grams_per_km: np.ndarray) -> np.ndarray:
    """µg emitted per metre of road and second by a daily traffic at an emission factor in g/km."""
    return vehicles_per_day * grams_per_km * 1e6 / 1000.0 / SECONDS_PER_DAY


def near_road_increment(
    params: PollutionParameters,
    road_type: np.ndarray,
    traffic_ratio: np.ndarray,
    nox_g_per_km: np.ndarray,
    pm10_g_per_km: np.ndarray,
    pm25_g_per_km: np.ndarray,
    wind_ratio: float,
) -> dict[str, np.ndarray]:
    """NOx, PM10 and PM2.5 (µg/m³) added at roadside points; zero where `road_type` is -1.

    traffic_ratio: the street's traffic relative to its nominal daily vehicles; the emission factors
    (g/km) are the point's zone fleet's in the month; wind_ratio: the month's inverse wind relative
    to the climatological one.
    """
    at_road = road_type >= 0
    kind = np.maximum(road_type, 0)
    vehicles = np.asarray(params.near_road_daily_vehicles)[kind] * traffic_ratio * at_road
    dilution = np.asarray(params.near_road_dilution_s_per_m2)[kind] * wind_ratio
    d = params.roadside_distance_m
    nox_decay = math.exp(-params.near_road_decay_nox * d)
    pm_decay = math.exp(-params.near_road_decay_pm * d)
    return {
        "NOx": line_emission_ug_per_m_s(vehicles, nox_g_per_km) * dilution * nox_decay,
        "PM10": line_emission_ug_per_m_s(vehicles, pm10_g_per_km) * dilution * pm_decay,
        "PM2.5": line_emission_ug_per_m_s(vehicles, pm25_g_per_km) * dilution * pm_decay,
    }
