"""Air pollution: monthly NO2, PM10 and PM2.5 fields over the grid, from emissions and wind.

A month's concentration in every cell of the full grid (sea included) is

    C_p = B_p(month, year) + sum_r w_r(month) * sum_s (E_s,p * K_r,h(s))

B_p is a regional background with a seasonal cycle and a baseline trend; w_r the month's frequency
of wind regime r (Mistral, sea breeze, calm, moderate variable wind); E_s,p the emission grid of
source s (industry stacks, port and shipping, road traffic, residential heating); K_r,h a
ground-level response kernel for regime r and release height h: a Gaussian plume with Briggs urban
dispersion, a mixing lid, a wind-direction rose and first-order loss, averaged over source and
receptor cells. NO2 comes from NOx through a fraction that grows with distance from the source.

Static sources (industry, port, heating) are convolved once per regime at start; only road traffic
changes from month to month, so a month costs one forward FFT of the traffic grid and two inverse
FFTs. The equations, the values and their sources are in docs/pollution.md.
"""

from __future__ import annotations

import functools
import math
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import model_validator
from scipy import fft, ndimage, optimize, sparse

from ampsim.core.parameters import ASSUMPTION, ParameterGroup, parameter
from ampsim.world.grid import Grid
from ampsim.world.projection import to_lambert93_km
from ampsim.world.territory import Territory, load_territory, read_data_csv

POLLUTANTS = ("NO2", "PM10", "PM2.5")
REGIMES = ("mistral", "sea_breeze", "calm", "moderate")
SECONDS_PER_YEAR = 365.25 * 86_400.0
SECONDS_PER_MONTH = SECONDS_PER_YEAR / 12
MEAN_DISTANCE_IN_DISC = 128 / (45 * math.pi)  # mean distance between two random points, x radius

_ATMOSUD_TREND = (
    "AtmoSud 'Bouches-du-Rhone chiffres cles': NO2 about -40 % and PM10 about -50 % since 2000 "
    "; the rate is ln(remaining share) / 23 years"
)
_MARSEILLE_ROAD = (
    "derived: calibrated so that Marseille's road NOx is 45 % of its NOx (1,771 t a year, with "
    "shipping 37 % = 1,456 t; AtmoSud 2023 inventory) under the reference commuting "
    "traffic (python -m ampsim.submodels.pollution prints the check)"
)
_MISTRAL = (
    "Marseille-Marignane has 93 days a year with gusts >= 57 km/h, mostly Mistral in winter and "
    "spring (Meteo Consult 2014): about 25 % of days; the monthly profile is a "
    "modelling assumption"
)
_BRIGGS = "Pasquill class for the Briggs urban dispersion coefficients ()"
_CLASS_UNIT = "Pasquill class (1 = A ... 6 = F)"


def _monthly(values: tuple[float, ...]) -> tuple[float, ...]:
    """Check a tuple of twelve monthly values in [0, 1]."""
    if len(values) != 12 or not all(0.0 <= v <= 1.0 for v in values):
        raise ValueError("expected twelve monthly values between 0 and 1")
    return values


class PollutionParameters(ParameterGroup):
    """Emissions, wind regimes, dispersion and chemistry of the air-pollution submodel."""

    # --- regional background ---------------------------------------------------------
    background_no2: float = parameter(
        7.0,
        unit="µg/m³",
        ge=0,
        le=40,
        source=ASSUMPTION
        + " (rural NO2 is a few µg/m³; this background also holds sources the grid does not "
        "resolve, such as motorway through traffic and plumes from beyond 40 km; the 2030 limit "
        "of 20 is exceeded only in agglomerations and the Fos/Berre zone, AtmoSud 2022, "
        ")",
        description="regional background NO2 (reference year, annual mean)",
    )
    background_pm10: float = parameter(
        13.0,
        unit="µg/m³",
        ge=0,
        le=60,
        source=ASSUMPTION + " (secondary aerosol, sea salt and "
        "dust; 72 % of the region above the WHO PM10 guideline of 15, AtmoSud 2021)",
        description="regional background PM10 (reference year, annual mean)",
    )
    background_pm25: float = parameter(
        7.5,
        unit="µg/m³",
        ge=0,
        le=40,
        source=ASSUMPTION + " (the whole population is above the "
        "WHO guideline of 5, so the background alone exceeds it; AtmoSud 2021)",
        description="regional background PM2.5 (reference year, annual mean)",
    )
    background_seasonal_amplitude_no2: float = parameter(
        0.25,
        unit="share",
        ge=0,
        lt=1,
        source=ASSUMPTION,
        description="relative amplitude of the background NO2 cycle (maximum in January)",
    )
    background_seasonal_amplitude_pm: float = parameter(
        0.10,
        unit="share",
        ge=0,
        lt=1,
        source=ASSUMPTION,
        description="relative amplitude of the background PM cycle (maximum in January)",
    )
    background_trend_no2: float = parameter(
        -0.022,
        unit="1/year",
        ge=-0.2,
        le=0.2,
        source=_ATMOSUD_TREND,
        description="relative change per year of the background NO2 (baseline trend)",
    )
    background_trend_pm: float = parameter(
        -0.030,
        unit="1/year",
        ge=-0.2,
        le=0.2,
        source=_ATMOSUD_TREND,
        description="relative change per year of the background PM10 and PM2.5 (baseline trend)",
    )
    reference_year: float = parameter(
        2023.0,
        unit="year",
        ge=1990,
        le=2100,
        source="year of the AtmoSud emission inventory used for the sources",
        description="year at which backgrounds and emission factors take their nominal values",
    )

    # --- road traffic ----------------------------------------------------------------
    road_nox_g_per_km: float = parameter(
        0.40,
        unit="g/vehicle-km",
        ge=0,
        le=5,
        source=ASSUMPTION + " (fleet-average NOx of a "
        "mostly diesel car fleet in urban driving, order of magnitude of the EMEP/EEA guidebook)",
        description="NOx emitted per car-km (as NO2 mass)",
    )
    road_pm10_g_per_km: float = parameter(
        0.045,
        unit="g/vehicle-km",
        ge=0,
        le=1,
        source=ASSUMPTION + " (exhaust about 0.01 plus brake, tyre and road wear about 0.035)",
        description="PM10 emitted per car-km, exhaust and non-exhaust",
    )
    road_pm25_g_per_km: float = parameter(
        0.025,
        unit="g/vehicle-km",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="PM2.5 emitted per car-km, exhaust and non-exhaust",
    )
    road_nox_trend: float = parameter(
        -0.04,
        unit="1/year",
        ge=-0.3,
        le=0.1,
        source=ASSUMPTION + " (fleet renewal towards Euro 6d vehicles)",
        description="relative change per year of the NOx emission factor (baseline fleet renewal)",
    )
    road_pm_trend: float = parameter(
        -0.015,
        unit="1/year",
        ge=-0.3,
        le=0.1,
        source=ASSUMPTION + " (exhaust PM falls fast but non-exhaust PM, the larger part, does not)",
        description="relative change per year of the PM emission factors",
    )
    background_traffic_km_per_resident: float = parameter(
        320.0,
        unit="vehicle-km per resident per month",
        ge=0,
        le=5_000,
        source=_MARSEILLE_ROAD,
        description="non-commuting road traffic (other trips, goods vehicles, through traffic) "
        "per resident, in car-km equivalents, placed where people live",
    )

    # --- residential heating ---------------------------------------------------------
    heating_pm25_kg_per_resident: float = parameter(
        0.15,
        unit="kg/resident/year",
        ge=0,
        le=5,
        source=ASSUMPTION + " (wood burning in a mild "
        "climate; residential heating is one of Marseille's main emitters, AtmoSud)",
        description="PM2.5 emitted by residential heating per resident and year",
    )
    heating_pm10_kg_per_resident: float = parameter(
        0.16,
        unit="kg/resident/year",
        ge=0,
        le=5,
        source=ASSUMPTION + " (wood smoke is almost all fine particles)",
        description="PM10 emitted by residential heating per resident and year",
    )
    heating_nox_kg_per_resident: float = parameter(
        0.30,
        unit="kg/resident/year",
        ge=0,
        le=5,
        source=ASSUMPTION,
        description="NOx emitted by residential heating (gas and wood) per resident and year",
    )
    heating_monthly_share: tuple[float, ...] = parameter(
        (0.22, 0.18, 0.13, 0.07, 0.02, 0.0, 0.0, 0.0, 0.0, 0.05, 0.14, 0.19),
        unit="share of the year",
        source=ASSUMPTION + " (heating degree days of a Mediterranean climate: none from June to September)",
        description="share of the year's heating emissions in each calendar month (sums to 1)",
    )
    population_density_length: float = parameter(
        0.5,
        unit="zone radii",
        gt=0,
        le=10,
        source="same rule and value as the home cells of "
        "the synthetic population (population.home_density_length); modelling assumption",
        description="decay length of population density from a zone's centre, used to place "
        "heating and non-commuting traffic",
    )

    # --- wind regimes ----------------------------------------------------------------
    mistral_frequency: tuple[float, ...] = parameter(
        (0.30, 0.32, 0.33, 0.30, 0.25, 0.20, 0.20, 0.17, 0.18, 0.22, 0.26, 0.30),
        unit="share of days",
        source=_MISTRAL,
        description="Mistral days in each calendar month",
    )
    sea_breeze_frequency: tuple[float, ...] = parameter(
        (0.05, 0.08, 0.15, 0.25, 0.35, 0.45, 0.50, 0.48, 0.35, 0.18, 0.07, 0.04),
        unit="share of days",
        source=ASSUMPTION + " (sea breezes on summer afternoons)",
        description="sea-breeze days in each calendar month",
    )
    calm_frequency: tuple[float, ...] = parameter(
        (0.40, 0.35, 0.25, 0.18, 0.15, 0.15, 0.15, 0.18, 0.22, 0.30, 0.37, 0.42),
        unit="share of days",
        source=ASSUMPTION + " (winter anticyclones with low inversions)",
        description="calm or weak-wind days in each calendar month; the rest of the month is "
        "moderate wind of variable direction",
    )
    mistral_from_deg: float = parameter(
        325.0,
        unit="degrees from north",
        ge=0,
        lt=360,
        source="the Mistral blows from the north-west to north sector, north-west around Marseille",
        description="direction the Mistral blows from",
    )
    sea_breeze_from_deg: float = parameter(
        215.0,
        unit="degrees from north",
        ge=0,
        lt=360,
        source=ASSUMPTION + " (onshore from the south to south-west on this coast)",
        description="direction the sea breeze blows from",
    )
    wind_direction_spread_deg: float = parameter(
        20.0,
        unit="degrees",
        gt=0,
        le=90,
        source=ASSUMPTION,
        description="standard deviation of the wind direction within the Mistral and the sea "
        "breeze over a month",
    )
    mistral_speed: float = parameter(
        10.0,
        unit="m/s",
        gt=0,
        le=30,
        source="daytime Mistral means reach about 14 m/s, calmer at "
        "night (); 10 m/s as a day-night mean: modelling assumption",
        description="mean wind speed during the Mistral",
    )
    sea_breeze_speed: float = parameter(
        4.0,
        unit="m/s",
        gt=0,
        le=30,
        source=ASSUMPTION + " (other days 2-5 m/s.5)",
        description="mean wind speed during sea breezes",
    )
    calm_speed: float = parameter(
        1.0,
        unit="m/s",
        gt=0,
        le=30,
        source=ASSUMPTION,
        description="mean wind speed on calm days",
    )
    moderate_speed: float = parameter(
        3.5,
        unit="m/s",
        gt=0,
        le=30,
        source=ASSUMPTION + " (other days 2-5 m/s.5)",
        description="mean wind speed on days of moderate variable wind",
    )
    mistral_mixing_height: float = parameter(
        1000.0, unit="m", gt=10, le=5000, source=ASSUMPTION, description="mixing height during the Mistral"
    )
    sea_breeze_mixing_height: float = parameter(
        600.0,
        unit="m",
        gt=10,
        le=5000,
        source=ASSUMPTION + " (shallow coastal boundary layer)",
        description="mixing height during sea breezes",
    )
    calm_mixing_height: float = parameter(
        250.0,
        unit="m",
        gt=10,
        le=5000,
        source=ASSUMPTION + " (day-night mean under an inversion)",
        description="mixing height on calm days; stacks released above it do not reach the ground",
    )
    moderate_mixing_height: float = parameter(
        800.0,
        unit="m",
        gt=10,
        le=5000,
        source=ASSUMPTION,
        description="mixing height on days of moderate wind",
    )
    mistral_stability: int = parameter(
        4,
        unit=_CLASS_UNIT,
        ge=1,
        le=6,
        source="strong wind, clear sky: neutral class D ()",
        description=_BRIGGS + " during the Mistral",
    )
    sea_breeze_stability: int = parameter(
        3,
        unit=_CLASS_UNIT,
        ge=1,
        le=6,
        source=ASSUMPTION + " (sunny afternoons, slightly unstable)",
        description=_BRIGGS + " during sea breezes",
    )
    calm_stability: int = parameter(
        5,
        unit=_CLASS_UNIT,
        ge=1,
        le=6,
        source="calm nights are classes E-F ()",
        description=_BRIGGS + " on calm days",
    )
    moderate_stability: int = parameter(
        4, unit=_CLASS_UNIT, ge=1, le=6, source=ASSUMPTION, description=_BRIGGS + " on moderate days"
    )
    interannual_mistral_sd: float = parameter(
        0.25,
        unit="log-share",
        ge=0,
        le=2,
        source=ASSUMPTION,
        description="standard deviation of the log of a month's Mistral frequency around its "
        "climatology, drawn only when update() is given a random generator",
    )

    # --- dispersion and chemistry ----------------------------------------------------
    initial_vertical_spread: float = parameter(
        10.0,
        unit="m",
        gt=0,
        le=200,
        source=ASSUMPTION + " (street canyons and building wakes mix "
        "ground emissions over roughly the building height)",
        description="initial vertical standard deviation of a plume",
    )
    kernel_radius_km: float = parameter(
        40.0,
        unit="km",
        ge=5,
        le=150,
        source=ASSUMPTION + " (beyond, a source's share is left to the regional background)",
        description="largest distance at which a source's plume is followed",
    )
    nox_loss_per_hour: float = parameter(
        0.10,
        unit="1/h",
        ge=0,
        le=5,
        source=ASSUMPTION + " (NOx lifetime of several hours)",
        description="first-order loss of NOx along the plume (oxidation, deposition)",
    )
    pm_loss_per_hour: float = parameter(
        0.02,
        unit="1/h",
        ge=0,
        le=5,
        source=ASSUMPTION + " (particle lifetime of a few days)",
        description="first-order loss of particles along the plume (deposition)",
    )
    no2_fraction_near: float = parameter(
        0.25,
        unit="NO2/NOx",
        ge=0,
        le=1,
        source=ASSUMPTION + " (primary NO2 of a diesel fleet and fast titration by ozone next to the source)",
        description="NO2/NOx ratio of a plume at its source",
    )
    no2_fraction_far: float = parameter(
        0.70,
        unit="NO2/NOx",
        ge=0,
        le=1,
        source=ASSUMPTION + " (typical urban-background ratio)",
        description="NO2/NOx ratio of an aged plume",
    )
    no2_conversion_km: float = parameter(
        2.0,
        unit="km",
        gt=0,
        le=50,
        source=ASSUMPTION,
        description="distance over which the NO2/NOx ratio moves from its near to its far value",
    )
    ground_dispersion_factor: float = parameter(
        3.0,
        unit="factor",
        gt=0,
        le=20,
        source="calibrated: population-weighted NO2, PM10 and PM2.5 in the AtmoSud ranges "
        "(docs/pollution.md)",
        description="multiplier of the response to ground-level releases (traffic, heating): "
        "regime-mean winds miss night-time inversions and street canyons",
    )

    # --- near-road increment at roadside points --------------------------------------
    roadside_factor: float = parameter(
        8.0,
        unit="factor",
        ge=0,
        le=100,
        source="calibrated so that Marseille Rabatau (traffic; 48 µg/m³ NO2 in summer 2017, the "
        "only station above 40 in 2021) reads above Longchamp (urban background)",
        description="kerbside NOx and PM increment as a multiple of the own-cell response to the "
        "traffic emission density around the point",
    )
    roadside_catchment_km: float = parameter(
        2.0,
        unit="km",
        ge=0,
        le=10,
        source=ASSUMPTION + " (a traffic station stands on an arterial road that carries the "
        "traffic of its neighbourhood)",
        description="half-width of the square over which the traffic emission density feeding a "
        "roadside increment is averaged",
    )
    roadside_distance_m: float = parameter(
        10.0,
        unit="m",
        ge=0,
        le=500,
        source=ASSUMPTION,
        description="distance of a roadside point from the road edge",
    )
    near_road_decay_no2: float = parameter(
        0.0004,
        unit="1/m",
        ge=0,
        le=1,
        source="Liu, Chen & Xue 2019 meta-analysis ()",
        description="exponential decay rate of the NO2 increment away from a road",
    )
    near_road_decay_pm: float = parameter(
        0.0026,
        unit="1/m",
        ge=0,
        le=1,
        source="black carbon rate of Liu, Chen & Xue 2019, used for traffic PM ()",
        description="exponential decay rate of the traffic PM increment away from a road",
    )

    @model_validator(mode="after")
    def _check_months(self) -> PollutionParameters:
        """Regime frequencies are monthly shares that leave room for the moderate regime."""
        for name in ("mistral_frequency", "sea_breeze_frequency", "calm_frequency", "heating_monthly_share"):
            _monthly(getattr(self, name))
        total = np.add(np.add(self.mistral_frequency, self.sea_breeze_frequency), self.calm_frequency)
        if np.any(total > 1.0 + 1e-9):
            raise ValueError("Mistral, sea-breeze and calm frequencies add up to more than 1 in a month")
        if abs(sum(self.heating_monthly_share) - 1.0) > 1e-6:
            raise ValueError("heating_monthly_share must sum to 1")
        return self


# --- wind regimes and kernels ---------------------------------------------------------


@dataclass(frozen=True)
class WindRegime:
    """One wind regime: speed, mixing height, stability class and a rose of directions."""

    name: str
    speed: float  # m/s
    mixing_height: float  # m
    stability: int  # Pasquill class 1..6
    toward_deg: np.ndarray  # directions the wind blows towards, degrees from north
    weight: np.ndarray  # share of the regime's time in each direction
    step_deg: float  # spacing of the directions; each is smoothed over its own sector

    @classmethod
    def directional(
        cls, name: str, speed: float, height: float, stability: int, from_deg: float, spread_deg: float
    ) -> WindRegime:
        """A regime around one direction, discretised every 5 degrees over +-2.5 spreads."""
        offsets = np.arange(-2.5 * spread_deg, 2.5 * spread_deg + 1e-9, 5.0)
        weight = np.exp(-0.5 * (offsets / spread_deg) ** 2)
        toward = (from_deg + 180.0 + offsets) % 360
        return cls(name, speed, height, stability, toward, weight / weight.sum(), 5.0)

    @classmethod
    def isotropic(cls, name: str, speed: float, height: float, stability: int) -> WindRegime:
        """A regime whose direction varies evenly over the compass (every 10 degrees)."""
        return cls(name, speed, height, stability, np.arange(0.0, 360.0, 10.0), np.full(36, 1 / 36), 10.0)


def wind_regimes(params: PollutionParameters) -> list[WindRegime]:
    """The four regimes in the order of REGIMES."""
    p = params
    return [
        WindRegime.directional(
            "mistral",
            p.mistral_speed,
            p.mistral_mixing_height,
            p.mistral_stability,
            p.mistral_from_deg,
            p.wind_direction_spread_deg,
        ),
        WindRegime.directional(
            "sea_breeze",
            p.sea_breeze_speed,
            p.sea_breeze_mixing_height,
            p.sea_breeze_stability,
            p.sea_breeze_from_deg,
            p.wind_direction_spread_deg,
        ),
        WindRegime.isotropic("calm", p.calm_speed, p.calm_mixing_height, p.calm_stability),
        WindRegime.isotropic("moderate", p.moderate_speed, p.moderate_mixing_height, p.moderate_stability),
    ]


def regime_weights(
    params: PollutionParameters, calendar_month: int, rng: np.random.Generator | None = None
) -> np.ndarray:
    """Share of the month spent in each regime; with `rng`, the Mistral share varies at random.

    The random Mistral share is log-normal around the climatology (capped at 0.9) and the other
    three regimes keep their proportions in the rest of the month.
    """
    m = calendar_month - 1
    mistral, breeze, calm = (
        params.mistral_frequency[m],
        params.sea_breeze_frequency[m],
        params.calm_frequency[m],
    )
    shares = np.array([mistral, breeze, calm, max(0.0, 1.0 - mistral - breeze - calm)])
    if rng is not None and params.interannual_mistral_sd > 0:
        sd = params.interannual_mistral_sd
        drawn = min(0.9, mistral * math.exp(sd * rng.standard_normal() - 0.5 * sd * sd))
        shares[1:] *= (1.0 - drawn) / max(1.0 - mistral, 1e-12)
        shares[0] = drawn
    return shares / shares.sum()


def briggs_sigmas(x_m: np.ndarray, stability: int) -> tuple[np.ndarray, np.ndarray]:
    """Briggs urban sigma_y and sigma_z (m) at downwind distance x (m) for a Pasquill class."""
    if stability <= 2:
        return 0.32 * x_m / np.sqrt(1 + 0.0004 * x_m), 0.24 * x_m * np.sqrt(1 + 0.001 * x_m)
    if stability == 3:
        return 0.22 * x_m / np.sqrt(1 + 0.0004 * x_m), 0.20 * x_m
    if stability == 4:
        return 0.16 * x_m / np.sqrt(1 + 0.0004 * x_m), 0.14 * x_m / np.sqrt(1 + 0.0003 * x_m)
    return 0.11 * x_m / np.sqrt(1 + 0.0004 * x_m), 0.08 * x_m / np.sqrt(1 + 0.0015 * x_m)


def vertical_factor(sigma_z: np.ndarray, height: float, mixing: float) -> np.ndarray:
    """Ground-level vertical term (1/m) with reflections at the ground and the mixing lid.

    sigma_z is capped at 1.6 x the mixing height, where the image sum equals 1/mixing height
    (uniform mixing). A release at or above the lid does not reach the ground.
    """
    if height >= mixing:
        return np.zeros_like(sigma_z)
    sz = np.minimum(sigma_z, 1.6 * mixing)
    spread = 2 * sz**2
    # images at 2 n mixing -/+ height, n = -3..3: their squared distances come in equal pairs
    squares = Counter((2 * n * mixing + sign * height) ** 2 for n in range(-3, 4) for sign in (-1, 1))
    total = np.zeros_like(sz)
    for square, count in squares.items():
        total += count * np.exp(-square / spread)
    return total / (math.sqrt(2 * math.pi) * sz)


@dataclass(frozen=True)
class Kernel:
    """Ground-level response (µg/m³ per g/s) of a cell to a source cell, on cell offsets."""

    no2: np.ndarray  # NOx emitted -> NO2 concentration, (2R+1, 2R+1)
    pm: np.ndarray  # particles emitted -> particle concentration
    nox_centre: float  # NOx emitted -> NOx concentration in the source's own cell

    @property
    def radius(self) -> int:
        return self.no2.shape[0] // 2


def kernel_samples(radius: int, near: int = 3, sub: int = 8) -> tuple[np.ndarray, ...]:
    """Offsets (cells) of the points where a kernel is evaluated, their weights and target cells.

    Far cells are sampled at their centre; cells within `near` of the source average `sub` x `sub`
    source points against `sub` x `sub` receptor points (triangular weights on the differences).
    """
    offsets = np.arange(-radius, radius + 1)
    dy, dx = (a.ravel().astype(float) for a in np.meshgrid(offsets, offsets, indexing="ij"))
    target = np.arange(dx.size)
    is_near = (np.abs(dx) <= near) & (np.abs(dy) <= near)
    steps = np.arange(-(sub - 1), sub)
    triangle = (sub - np.abs(steps)) / sub**2
    sy, sx = (a.ravel() / sub for a in np.meshgrid(steps, steps, indexing="ij"))
    sw = np.outer(triangle, triangle).ravel()
    return (
        np.concatenate([dx[~is_near], (dx[is_near][:, None] + sx[None, :]).ravel()]),
        np.concatenate([dy[~is_near], (dy[is_near][:, None] + sy[None, :]).ravel()]),
        np.concatenate([np.ones(int((~is_near).sum())), np.tile(sw, int(is_near.sum()))]),
        np.concatenate([target[~is_near], np.repeat(target[is_near], sw.size)]),
    )


def plume(
    along_m: np.ndarray,
    cross_m: np.ndarray,
    regime: WindRegime,
    height: float,
    params: PollutionParameters,
    lateral_floor_m: float,
) -> np.ndarray:
    """Ground-level concentration (µg/m³) downwind of a 1 g/s release, Gaussian plume with a lid.

    The lateral spread adds the Briggs sigma_y, the width of the direction's sector (0.6 x its
    step, so that neighbouring directions overlap) and a floor for sub-cell sources.
    """
    sigma_y, sigma_z = briggs_sigmas(along_m, regime.stability)
    sector = 0.6 * math.radians(regime.step_deg) * along_m
    sigma_y = np.sqrt(sigma_y**2 + sector**2 + lateral_floor_m**2)
    sigma_z = np.sqrt(sigma_z**2 + params.initial_vertical_spread**2)
    lateral = np.exp(-0.5 * (cross_m / sigma_y) ** 2) / (math.sqrt(2 * math.pi) * sigma_y)
    return 1e6 / regime.speed * lateral * vertical_factor(sigma_z, height, regime.mixing_height)


def no2_fraction(distance_km: np.ndarray, params: PollutionParameters) -> np.ndarray:
    """NO2/NOx ratio of a plume after `distance_km`: from its near value towards its far value."""
    near, far = params.no2_fraction_near, params.no2_fraction_far
    return far - (far - near) * np.exp(-distance_km / params.no2_conversion_km)


def build_kernel(
    regime: WindRegime, height: float, cell_km: float, params: PollutionParameters, factor: float = 1.0
) -> Kernel:
    """The regime's kernel for releases at `height` metres: plumes summed over its wind rose, x factor.

    The kernel fades smoothly to zero over the last quarter of its radius.
    """
    sub = 8
    radius = max(1, round(params.kernel_radius_km / cell_km))
    dx, dy, weight, target = kernel_samples(radius, sub=sub)
    dx_m, dy_m = dx * cell_km * 1000.0, dy * cell_km * 1000.0
    nox = np.zeros(dx.size)
    pm = np.zeros(dx.size)
    for toward, share in zip(regime.toward_deg, regime.weight, strict=True):
        theta = math.radians(toward)
        ex, ey = math.sin(theta), math.cos(theta)
        along = dx_m * ex + dy_m * ey
        down = along > 0
        x = along[down]
        value = share * plume(
            x, (dy_m * ex - dx_m * ey)[down], regime, height, params, cell_km * 1000.0 / sub
        )
        hours = x / regime.speed / 3600.0
        nox[down] += value * np.exp(-params.nox_loss_per_hour * hours)
        pm[down] += value * np.exp(-params.pm_loss_per_hour * hours)
    side = 2 * radius + 1
    distance = np.hypot(dx, dy)
    taper = np.clip((radius - distance) / (0.25 * radius), 0.0, 1.0)  # fade out over the last quarter
    scale = factor * weight * taper * taper * (3 - 2 * taper)
    fraction = no2_fraction(distance * cell_km, params)
    nox_grid = np.bincount(target, scale * nox, minlength=side * side).reshape(side, side)
    return Kernel(
        no2=np.bincount(target, scale * nox * fraction, minlength=side * side).reshape(side, side),
        pm=np.bincount(target, scale * pm, minlength=side * side).reshape(side, side),
        nox_centre=float(nox_grid[radius, radius]),
    )


# --- sources on the grid ----------------------------------------------------------------


def load_sources() -> pd.DataFrame:
    """The industrial and port sources of ampsim/data/pollution_sources.csv, with Lambert-93 km."""
    table = read_data_csv("pollution_sources.csv")
    table["x_km"], table["y_km"] = to_lambert93_km(table["lon"].to_numpy(), table["lat"].to_numpy())
    return table


def source_footprint(row: pd.Series, grid: Grid, sub: int = 5) -> np.ndarray:
    """Share of a source's emission in each full-grid cell, (ny, nx): its cell, or a disc."""
    footprint = np.zeros(grid.ny * grid.nx)
    if row["kind"] != "area" or row["radius_km"] <= 0:
        cell = grid.cell_index_at(np.array([row["x_km"]]), np.array([row["y_km"]]))[0]
        if cell < 0:
            raise ValueError(f"pollution source {row['name']} lies outside the grid")
        footprint[cell] = 1.0
        return footprint.reshape(grid.ny, grid.nx)
    step = grid.cell_km / sub
    reach = np.arange(-row["radius_km"], row["radius_km"] + step / 2, step)
    px, py = (a.ravel() for a in np.meshgrid(row["x_km"] + reach, row["y_km"] + reach))
    inside = np.hypot(px - row["x_km"], py - row["y_km"]) <= row["radius_km"]
    cells = grid.cell_index_at(px[inside], py[inside])
    footprint += np.bincount(cells[cells >= 0], minlength=footprint.size)
    return (footprint / footprint.sum()).reshape(grid.ny, grid.nx)


def population_by_cell(territory: Territory, density_length: float = 0.5) -> np.ndarray:
    """Zone populations spread over their cells, densest at the centre; (ny * nx,) residents."""
    grid = territory.grid
    radius = np.sqrt(territory.zones["area_km2"].to_numpy() / np.pi)
    zone = grid.cell_zone
    distance = np.hypot(grid.cell_x_km - territory.x_km[zone], grid.cell_y_km - territory.y_km[zone])
    weight = np.exp(-distance / (density_length * radius[zone]))
    weight /= np.bincount(zone, weight, minlength=territory.n_zones)[zone]
    people = np.zeros(grid.ny * grid.nx)
    people[grid.cell_flat] = weight * territory.population[zone]
    return people


def nearest_territory_cell(grid: Grid) -> np.ndarray:
    """For every full-grid cell, the flat index of the nearest territory cell (itself if it is one)."""
    outside = grid.zone_of_cell < 0
    _, (rows, cols) = ndimage.distance_transform_edt(outside, return_indices=True)
    return (rows * grid.nx + cols).ravel()


def commute_paths(territory: Territory, detour_factor: float = 1.3) -> sparse.csr_matrix:
    """Km driven in each full-grid cell per one-way trip of each home -> work zone pair.

    Shape (ny * nx, n_zones * n_zones), column h * n_zones + w. A trip between two zones follows
    the straight line between their centres, lengthened by `detour_factor` (roads are not straight)
    and sampled every half cell; km that fall on the sea or outside the territory go to the nearest
    territory cell. A trip inside a zone has the mean distance between two points of a disc of the
    zone's area and is spread over the zone's cells like its residents.
    """
    grid = territory.grid
    n = territory.n_zones
    home_of = nearest_territory_cell(grid)
    rows, cols, km = [], [], []
    for h in range(n):
        others = np.flatnonzero(np.arange(n) != h)
        length = territory.distance_km[h, others]
        samples = np.maximum(2, np.ceil(2 * length / grid.cell_km).astype(int))
        pair = np.repeat(others, samples)
        t = (np.arange(samples.sum()) - np.repeat(np.cumsum(samples) - samples, samples) + 0.5) / np.repeat(
            samples, samples
        )
        x = territory.x_km[h] + t * (territory.x_km[pair] - territory.x_km[h])
        y = territory.y_km[h] + t * (territory.y_km[pair] - territory.y_km[h])
        rows.append(home_of[grid.cell_index_at(x, y)])
        cols.append(h * n + pair)
        km.append(np.repeat(detour_factor * length / samples, samples))
    people = population_by_cell(territory)
    radius = np.sqrt(territory.zones["area_km2"].to_numpy() / np.pi)
    zone = grid.cell_zone
    share = people[grid.cell_flat] / np.bincount(zone, people[grid.cell_flat], minlength=n)[zone]
    rows.append(grid.cell_flat)
    cols.append(zone.astype(np.int64) * (n + 1))
    km.append(share * detour_factor * MEAN_DISTANCE_IN_DISC * radius[zone])
    matrix = sparse.coo_matrix(
        (np.concatenate(km), (np.concatenate(rows), np.concatenate(cols))), shape=(grid.ny * grid.nx, n * n)
    )
    return matrix.tocsr()


def station_table() -> pd.DataFrame:
    """The 23 monitoring stations of ampsim/data/stations.csv with Lambert-93 km and `roadside`.

    Columns: station (as in the file), code (e.g. FR03006), name, type, x_km, y_km, roadside (True
    for traffic stations), industrial (True for industrial stations).
    """
    table = read_data_csv("stations.csv")
    table["type"] = table["type"].fillna("")
    table["code"] = table["station"].str.extract(r"\[(\w+)\]\s*$", expand=False)
    table["name"] = table["station"].str.replace(r"\s*\[\w+\]\s*$", "", regex=True)
    table["x_km"], table["y_km"] = to_lambert93_km(table["lon"].to_numpy(), table["lat"].to_numpy())
    table["roadside"] = table["type"].str.startswith("traffic")
    table["industrial"] = table["type"].str.startswith("industrial")
    return table


# --- the model --------------------------------------------------------------------------


def weighted_sum(weights: np.ndarray, arrays: np.ndarray) -> np.ndarray:
    """sum_k weights[k] x arrays[k] over the first axis, in NumPy's own loops rather than BLAS:
    multithreaded BLAS leaves its threads spinning after each call, and they would take the cores
    from the parallel kernels that run next."""
    return np.einsum("k,k...->...", weights, arrays)


def full_convolution(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The full linear convolution of two 2-D arrays by real FFTs, as scipy.signal.fftconvolve
    computes it (importing scipy.signal would add most of a second to every start)."""
    shape = (a.shape[0] + b.shape[0] - 1, a.shape[1] + b.shape[1] - 1)
    padded = tuple(fft.next_fast_len(d, real=True) for d in shape)
    full = fft.irfft2(fft.rfft2(a, padded) * fft.rfft2(b, padded), padded)
    return full[: shape[0], : shape[1]]


class Convolver:
    """Linear convolution of (ny, nx) grids with (2R+1)^2 kernels through real FFTs of a fixed shape."""

    def __init__(self, ny: int, nx: int, radius: int):
        self.ny, self.nx, self.radius = ny, nx, radius
        self.shape = (
            fft.next_fast_len(ny + 2 * radius, real=True),
            fft.next_fast_len(nx + 2 * radius, real=True),
        )

    def transform(self, array: np.ndarray) -> np.ndarray:
        return fft.rfft2(array, s=self.shape)

    def inverse(self, spectrum: np.ndarray) -> np.ndarray:
        """Back to the grid: the 'same'-size part of the full convolution."""
        full = fft.irfft2(spectrum, s=self.shape)
        r = self.radius
        return full[r : r + self.ny, r : r + self.nx]


@dataclass(frozen=True)
class StaticFields:
    """What does not change from month to month: traffic kernels' spectra and unit fields (read-only)."""

    convolver: Convolver
    traffic_no2_spectra: np.ndarray  # (regimes, ...) FFT of the ground-level NO2 kernel
    traffic_pm_spectra: np.ndarray
    nox_centre: np.ndarray  # (regimes,) NOx in a source's own cell per g/s
    pm_centre: np.ndarray
    heating_no2: np.ndarray  # (regimes, ny, nx) per kg emitted per resident and year
    heating_pm: np.ndarray
    source_no2: np.ndarray  # (regimes, sources, ny, nx) per t/yr of NOx
    source_pm: np.ndarray  # (regimes, sources, ny, nx) per t/yr of particles


# The parameters the static fields depend on (wind regimes, dispersion, chemistry, where people
# live); tests/test_pollution.py checks that building them reads no other parameter.
STATIC_FIELD_PARAMETERS = (
    *(f"{regime}_{what}" for regime in REGIMES for what in ("speed", "mixing_height", "stability")),
    "mistral_from_deg",
    "sea_breeze_from_deg",
    "wind_direction_spread_deg",
    "kernel_radius_km",
    "ground_dispersion_factor",
    "initial_vertical_spread",
    "nox_loss_per_hour",
    "pm_loss_per_hour",
    "no2_fraction_near",
    "no2_fraction_far",
    "no2_conversion_km",
    "population_density_length",
)


def static_fields(territory: Territory, params: PollutionParameters) -> StaticFields:
    """Kernels per regime and height convolved with the static sources, shared between runs.

    Building them costs about a second, more than a small run's whole simulation; they depend only
    on the (read-only) territory and STATIC_FIELD_PARAMETERS, so a sweep over, say, emissions or
    the background reuses them.
    """
    key = tuple(getattr(params, name) for name in STATIC_FIELD_PARAMETERS)
    return _cached_static_fields(territory, key)


@functools.lru_cache(maxsize=2)
def _cached_static_fields(territory: Territory, key: tuple) -> StaticFields:
    return build_static_fields(
        territory, PollutionParameters.model_construct(**dict(zip(STATIC_FIELD_PARAMETERS, key, strict=True)))
    )


def build_static_fields(territory: Territory, params: PollutionParameters) -> StaticFields:
    """Build the static fields (uncached)."""
    grid, sources, regimes = territory.grid, load_sources(), wind_regimes(params)
    heights = sorted({0.0, *sources["effective_height_m"].astype(float)})
    kernels = {(r.name, h): build_kernel(r, h, grid.cell_km, params) for r in regimes for h in heights}
    ground = [build_kernel(r, 0.0, grid.cell_km, params, params.ground_dispersion_factor) for r in regimes]
    convolver = Convolver(grid.ny, grid.nx, ground[0].radius)

    def convolve(emission: np.ndarray, kernel: np.ndarray) -> np.ndarray:
        """A static emission grid convolved with a kernel, clipped at zero (FFT round-off)."""
        r = kernel.shape[0] // 2
        return np.maximum(full_convolution(emission, kernel)[r : r + grid.ny, r : r + grid.nx], 0.0)

    people = population_by_cell(territory, params.population_density_length)
    people = people.reshape(grid.ny, grid.nx) / SECONDS_PER_YEAR * 1000.0  # kg/yr -> g/s per kg/res
    source_no2 = np.zeros((len(regimes), len(sources), grid.ny, grid.nx))
    source_pm = np.zeros_like(source_no2)
    tonnes = 1e6 / SECONDS_PER_YEAR  # g/s per t/yr
    for s, row in sources.iterrows():
        footprint = source_footprint(row, grid) * tonnes
        for r, regime in enumerate(regimes):
            kernel = kernels[(regime.name, float(row["effective_height_m"]))]
            source_no2[r, s] = convolve(footprint, kernel.no2)
            source_pm[r, s] = convolve(footprint, kernel.pm)
    fields = StaticFields(
        convolver=convolver,
        traffic_no2_spectra=np.stack([convolver.transform(k.no2) for k in ground]),
        traffic_pm_spectra=np.stack([convolver.transform(k.pm) for k in ground]),
        nox_centre=np.array([k.nox_centre for k in ground]),
        pm_centre=np.array([k.pm[k.radius, k.radius] for k in ground]),
        heating_no2=np.stack([convolve(people, k.no2) for k in ground]),
        heating_pm=np.stack([convolve(people, k.pm) for k in ground]),
        source_no2=source_no2,
        source_pm=source_pm,
    )
    for value in vars(fields).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
    return fields


class PollutionModel:
    """Monthly NO2, PM10 and PM2.5 fields (µg/m³) on the full grid, from emissions and wind regimes.

    Policies act through `road_emission_scale_by_zone` (e.g. a low-emission zone) and
    `point_source_scale` (industrial abatement, shore power), read at each `update()`.
    """

    def __init__(self, territory: Territory, params: PollutionParameters | None = None):
        self.territory = territory
        self.params = params or PollutionParameters()
        grid = territory.grid
        self.grid = grid
        self.regimes = wind_regimes(self.params)
        self.sources = load_sources()
        self.road_emission_scale_by_zone = np.ones(territory.n_zones)
        self.point_source_scale: dict[str, float] = dict.fromkeys(self.sources["name"], 1.0)
        self.people = population_by_cell(territory, self.params.population_density_length)
        self.background_km = self.people * self.params.background_traffic_km_per_resident
        self._zone_of_flat = grid.zone_of_cell.ravel().astype(np.int64)
        self.static = static_fields(territory, self.params)
        self.convolver = self.static.convolver
        shape = (grid.ny, grid.nx)
        self.no2, self.pm10, self.pm25 = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        self.road_km = np.zeros(grid.ny * grid.nx)  # vehicle-km of the last month, after scaling
        self.road_nox_gs = self.road_pm_gs = 0.0  # g/s per vehicle-km of the month (NOx; PM per g/km)
        self.weights = regime_weights(self.params, 1)
        self.month_index, self.calendar_month, self.year = -1, 1, self.params.reference_year

    # --- the monthly update --------------------------------------------------------------
    def update(
        self,
        month_index: int,
        calendar_month: int,
        year: float,
        car_km_by_cell: np.ndarray,
        rng: np.random.Generator | None = None,
    ) -> None:
        """Compute the month's fields.

        car_km_by_cell: (ny * nx,) float64, commuting car-km driven in the month in each full-grid
        cell, in real-population units. `rng`, when given, draws the month's Mistral share.
        """
        p = self.params
        if not 1 <= calendar_month <= 12:
            raise ValueError(f"calendar_month: expected 1..12, got {calendar_month}")
        car_km = np.asarray(car_km_by_cell, dtype=np.float64)
        if car_km.shape != self.background_km.shape:
            raise ValueError(f"car_km_by_cell: expected shape {self.background_km.shape}, got {car_km.shape}")
        self.month_index, self.calendar_month, self.year = month_index, calendar_month, float(year)
        self.weights = w = regime_weights(p, calendar_month, rng)
        years = float(year) - p.reference_year

        road_no2, road_pm = self._road_fields(car_km, w, years)
        heat_no2, heat_pm = self._heating_fields(w, calendar_month)
        source_no2, source_pm10, source_pm25 = self._source_fields(w)
        background = self.background(calendar_month, year)
        self.no2 = background[0] + road_no2 + heat_no2 * p.heating_nox_kg_per_resident + source_no2
        self.pm10 = background[1] + road_pm * p.road_pm10_g_per_km + heat_pm * p.heating_pm10_kg_per_resident
        self.pm10 += source_pm10
        self.pm25 = background[2] + road_pm * p.road_pm25_g_per_km + heat_pm * p.heating_pm25_kg_per_resident
        self.pm25 += source_pm25

    def _road_fields(self, car_km: np.ndarray, w: np.ndarray, years: float) -> tuple[np.ndarray, np.ndarray]:
        """Road NO2 (µg/m³) and road PM per g/km of emission factor, from this month's vehicle-km."""
        p = self.params
        self.road_km = (np.maximum(car_km, 0.0) + self.background_km) * self._road_scale_by_cell()
        self.road_nox_gs = p.road_nox_g_per_km * (1 + p.road_nox_trend) ** years / SECONDS_PER_MONTH
        self.road_pm_gs = (1 + p.road_pm_trend) ** years / SECONDS_PER_MONTH
        spectrum = self.convolver.transform(self.road_km.reshape(self.grid.ny, self.grid.nx))
        no2 = self.convolver.inverse(spectrum * weighted_sum(w, self.static.traffic_no2_spectra))
        pm = self.convolver.inverse(spectrum * weighted_sum(w, self.static.traffic_pm_spectra))
        return np.maximum(no2, 0.0) * self.road_nox_gs, np.maximum(pm, 0.0) * self.road_pm_gs

    def _heating_fields(self, w: np.ndarray, calendar_month: int) -> tuple[np.ndarray, np.ndarray]:
        """Heating NO2 and PM (µg/m³ per kg emitted per resident and year) in this calendar month."""
        season = 12.0 * self.params.heating_monthly_share[calendar_month - 1]
        no2 = weighted_sum(w, self.static.heating_no2)
        pm = weighted_sum(w, self.static.heating_pm)
        return no2 * season, pm * season

    def _source_fields(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """NO2, PM10 and PM2.5 (µg/m³) from the industrial and port sources at their current scale."""
        unknown = set(self.point_source_scale) - set(self.sources["name"])
        if unknown:
            raise KeyError(
                f"point_source_scale: unknown sources {sorted(unknown)}; known: {list(self.sources['name'])}"
            )
        scale = np.array([float(self.point_source_scale.get(name, 1.0)) for name in self.sources["name"]])
        if not np.all(np.isfinite(scale)) or np.any(scale < 0):
            raise ValueError("point_source_scale: expected finite values >= 0")
        no2_unit = weighted_sum(w, self.static.source_no2)  # (sources, ny, nx) per t/yr
        pm_unit = weighted_sum(w, self.static.source_pm)
        emitted = {
            column: scale * self.sources[column].to_numpy(float)
            for column in ("nox_t_per_year", "pm10_t_per_year", "pm25_t_per_year")
        }
        return (
            weighted_sum(emitted["nox_t_per_year"], no2_unit),
            weighted_sum(emitted["pm10_t_per_year"], pm_unit),
            weighted_sum(emitted["pm25_t_per_year"], pm_unit),
        )

    def _road_scale_by_cell(self) -> np.ndarray:
        """Each cell's road emission scale: its zone's, 1 outside the territory."""
        scale = np.asarray(self.road_emission_scale_by_zone, dtype=np.float64)
        if scale.shape != (self.territory.n_zones,) or not np.all(np.isfinite(scale)) or np.any(scale < 0):
            raise ValueError("road_emission_scale_by_zone: expected n_zones finite values >= 0")
        inside = self._zone_of_flat >= 0
        return np.where(inside, scale[np.where(inside, self._zone_of_flat, 0)], 1.0)

    def background(self, calendar_month: int, year: float) -> np.ndarray:
        """Regional background NO2, PM10, PM2.5 (µg/m³) for a month: seasonal cycle and trend."""
        p = self.params
        season = math.cos(2 * math.pi * (calendar_month - 1) / 12)
        years = float(year) - p.reference_year
        no2 = p.background_no2 * (1 + p.background_seasonal_amplitude_no2 * season)
        no2 *= (1 + p.background_trend_no2) ** years
        pm = (1 + p.background_seasonal_amplitude_pm * season) * (1 + p.background_trend_pm) ** years
        return np.array([no2, p.background_pm10 * pm, p.background_pm25 * pm])

    # --- reading the fields ----------------------------------------------------------
    def at_cells(self, flat_cells: np.ndarray) -> dict[str, np.ndarray]:
        """Concentrations in full-grid cells given by flat index (row * nx + col)."""
        cells = np.asarray(flat_cells, dtype=np.int64)
        return {
            "NO2": self.no2.ravel()[cells],
            "PM10": self.pm10.ravel()[cells],
            "PM2.5": self.pm25.ravel()[cells],
        }

    def at_points(
        self, x_km: np.ndarray, y_km: np.ndarray, roadside: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """Concentrations at points (Lambert-93 km), bilinear between cell centres.

        Where `roadside` is True, the near-road increment of `roadside_increment` is added, so that
        a traffic station reads above the urban background of its cell.
        """
        x = np.atleast_1d(np.asarray(x_km, dtype=float))
        y = np.atleast_1d(np.asarray(y_km, dtype=float))
        values = {
            name: self._bilinear(field, x, y) for name, field in zip(POLLUTANTS, self.fields(), strict=True)
        }
        if roadside is None:
            return values
        near = np.atleast_1d(np.asarray(roadside, dtype=bool))
        increment = self.roadside_increment(x[near], y[near])
        for name in POLLUTANTS:
            values[name][near] += increment[name]
        return values

    def roadside_increment(self, x_km: np.ndarray, y_km: np.ndarray) -> dict[str, np.ndarray]:
        """The near-road (sub-grid) increment at roadside points, µg/m³ by pollutant.

        Kerbside NOx (PM) = roadside_factor x the month's own-cell response to ground releases x
        the traffic NOx (PM) emission density averaged over the catchment square around the
        point. NO2 is the near-source NO2/NOx share of that NOx; both decay over the distance of
        the point from the road at the near-road rates.
        """
        p, grid = self.params, self.grid
        half = round(p.roadside_catchment_km / grid.cell_km)
        density = ndimage.uniform_filter(
            self.road_km.reshape(grid.ny, grid.nx), 2 * half + 1, mode="constant"
        )
        cells = grid.cell_index_at(x_km, y_km)
        km = np.where(cells >= 0, density.ravel()[np.maximum(cells, 0)], 0.0)
        nox_centre = float(weighted_sum(self.weights, self.static.nox_centre))
        pm_centre = float(weighted_sum(self.weights, self.static.pm_centre))
        nox_kerb = p.roadside_factor * nox_centre * km * self.road_nox_gs
        pm_kerb = p.roadside_factor * pm_centre * km * self.road_pm_gs
        d = p.roadside_distance_m
        pm_decay = math.exp(-p.near_road_decay_pm * d)
        return {
            "NO2": p.no2_fraction_near * nox_kerb * math.exp(-p.near_road_decay_no2 * d),
            "PM10": pm_kerb * p.road_pm10_g_per_km * pm_decay,
            "PM2.5": pm_kerb * p.road_pm25_g_per_km * pm_decay,
        }

    def fields(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.no2, self.pm10, self.pm25

    def _bilinear(self, field: np.ndarray, x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
        grid = self.grid
        col = (x_km - grid.x0_km) / grid.cell_km - 0.5
        row = (y_km - grid.y0_km) / grid.cell_km - 0.5
        return ndimage.map_coordinates(field, [row, col], order=1, mode="nearest")

    def population_weighted(self) -> dict[str, float]:
        """Means of the current fields weighted by the residents placed on the grid."""
        weight = self.people / self.people.sum()
        return {
            name: float(field.ravel() @ weight) for name, field in zip(POLLUTANTS, self.fields(), strict=True)
        }


# --- a reference traffic and the calibration check -----------------------------------------


def reference_car_commuters(
    territory: Territory,
    paths: sparse.csr_matrix,
    car_commuters: float = 550_000.0,
    mean_trip_km: float = 10.0,
) -> np.ndarray:
    """A plausible baseline of car commuters per home -> work pair, (n_zones, n_zones).

    Homes follow zone populations and jobs a gravity law, population x exp(-km / L), with L chosen
    so that the mean one-way trip is `mean_trip_km` km driven. For tests and calibration only: the
    full model takes its car commuters from the commuting submodel.
    """
    n = territory.n_zones
    trip_km = np.asarray(paths.sum(axis=0)).reshape(n, n)
    population = territory.population.astype(float)

    def od(length: float) -> np.ndarray:
        attraction = population[None, :] * np.exp(-trip_km / length)
        return (
            car_commuters
            * (population / population.sum())[:, None]
            * attraction
            / attraction.sum(axis=1, keepdims=True)
        )

    length = optimize.brentq(
        lambda scale: (od(scale) * trip_km).sum() / car_commuters - mean_trip_km, 0.5, 200.0
    )
    return od(length)


def reference_car_km(
    territory: Territory, paths: sparse.csr_matrix | None = None, trips_per_month: float = 42.0
) -> np.ndarray:
    """Commuting car-km per full-grid cell and month of the reference commuters (2 trips x 21 days)."""
    paths = commute_paths(territory) if paths is None else paths
    return paths @ (reference_car_commuters(territory, paths).ravel() * trips_per_month)


def annual_mean_fields(model: PollutionModel, car_km: np.ndarray, year: float) -> dict[str, np.ndarray]:
    """Mean of the twelve monthly fields of `year` under a constant commuting traffic."""
    total = {name: np.zeros((model.grid.ny, model.grid.nx)) for name in POLLUTANTS}
    for month in range(1, 13):
        model.update(month - 1, month, year + (month - 1) / 12, car_km)
        for name, field in zip(POLLUTANTS, model.fields(), strict=True):
            total[name] += field / 12
    return total


def calibration_report(cell_km: float = 1.0) -> str:
    """The calibration figures of docs/pollution.md, as text (run: python -m ampsim.submodels.pollution)."""
    territory = load_territory(cell_km)
    model = PollutionModel(territory)
    car_km = reference_car_km(territory)
    year = model.params.reference_year
    fields = annual_mean_fields(model, car_km, year)
    weight = model.people / model.people.sum()
    lines = [f"reference year {year:g}, commuting car-km per month {car_km.sum():,.0f}"]
    for name in POLLUTANTS:
        lines.append(f"population-weighted annual {name}: {fields[name].ravel() @ weight:.1f} µg/m³")
    above = model.people[fields["PM2.5"].ravel() > 5.0].sum() / model.people.sum()
    lines.append(f"share of residents above the WHO PM2.5 guideline (5): {above:.1%}")
    lines.append(f"Marseille road NOx: {marseille_road_nox_tonnes(model, car_km, year):,.0f} t/year")
    lines.append("station annual means (µg/m³), roadside increment included at traffic stations:")
    stations = station_table()
    values = station_annual_means(model, car_km, year)
    for row, no2, pm10, pm25 in zip(
        stations.itertuples(), values["NO2"], values["PM10"], values["PM2.5"], strict=True
    ):
        lines.append(
            f"  {row.name[:40]:40s} {row.type[:22]:22s} NO2 {no2:5.1f}  PM10 {pm10:5.1f}  PM2.5 {pm25:5.1f}"
        )
    timings = []
    for month in range(120):
        start = time.perf_counter()
        model.update(month, month % 12 + 1, year, car_km)
        timings.append(time.perf_counter() - start)
    lines.append(
        f"one update() on the {territory.grid.ny} x {territory.grid.nx} grid: "
        f"median {1000 * np.median(timings):.1f} ms"
    )
    return "\n".join(lines)


def station_annual_means(model: PollutionModel, car_km: np.ndarray, year: float) -> dict[str, np.ndarray]:
    """Annual means at the monitoring stations, with the roadside increment at traffic stations."""
    stations = station_table()
    x, y, roadside = stations["x_km"].to_numpy(), stations["y_km"].to_numpy(), stations["roadside"].to_numpy()
    total = {name: np.zeros(len(stations)) for name in POLLUTANTS}
    for month in range(1, 13):
        model.update(month - 1, month, year + (month - 1) / 12, car_km)
        for name, value in model.at_points(x, y, roadside=roadside).items():
            total[name] += value / 12
    return total


def marseille_road_nox_tonnes(model: PollutionModel, car_km: np.ndarray, year: float) -> float:
    """Road NOx emitted in a year on the cells of Marseille's 16 arrondissements, tonnes."""
    marseille = np.isin(model._zone_of_flat, model.territory.select("Marseille"))
    model.update(0, 1, year, car_km)
    return float(model.road_km[marseille].sum() * model.params.road_nox_g_per_km * 12 / 1e6)


if __name__ == "__main__":
    print(calibration_report())
