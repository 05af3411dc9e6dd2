"""The air-pollution submodel's parameters: what the air receives (`emission_parameters`), and the
wind regimes, dispersion and chemistry that carry it (values and sources in docs/pollution.md)."""

from __future__ import annotations

import numpy as np
from pydantic import model_validator

from ampsim.core.parameters import ASSUMPTION, Share, parameter
from ampsim.submodels.pollution.emission_parameters import ROAD_TYPES, EmissionParameters

REGIMES = ("mistral", "sea_breeze", "calm", "moderate")
SECONDS_PER_YEAR = 365.25 * 86_400.0
SECONDS_PER_MONTH = SECONDS_PER_YEAR / 12
__all__ = ["REGIMES", "ROAD_TYPES", "SECONDS_PER_MONTH", "SECONDS_PER_YEAR", "PollutionParameters"]

_MISTRAL = (
    "Marseille-Marignane has 93 days a year with gusts >= 57 km/h, mostly Mistral in winter and "
    "spring (Meteo Consult 2014): about 25 % of days; the monthly profile is a "
    "modelling assumption"
)
_BRIGGS = "Pasquill class for the Briggs urban dispersion coefficients"
_CLASS_UNIT = "Pasquill class (1 = A ... 6 = F)"


def _monthly(values: tuple[float, ...]) -> tuple[float, ...]:
    """Check a tuple of twelve monthly values in [0, 1]."""
    if len(values) != 12 or not all(0.0 <= v <= 1.0 for v in values):
        raise ValueError("expected twelve monthly values between 0 and 1")
    return values


class PollutionParameters(EmissionParameters):
    """Emissions (inherited), wind regimes, dispersion and chemistry of the air-pollution submodel."""

    # --- wind regimes ----------------------------------------------------------------
    mistral_frequency: tuple[Share, ...] = parameter(
        (0.30, 0.32, 0.33, 0.30, 0.25, 0.20, 0.20, 0.17, 0.18, 0.22, 0.26, 0.30),
        unit="share of days",
        source=_MISTRAL,
        description="Mistral days in each calendar month",
    )
    sea_breeze_frequency: tuple[Share, ...] = parameter(
        (0.05, 0.08, 0.15, 0.25, 0.35, 0.45, 0.50, 0.48, 0.35, 0.18, 0.07, 0.04),
        unit="share of days",
        source=ASSUMPTION + " (sea breezes on summer afternoons)",
        description="sea-breeze days in each calendar month",
    )
    calm_frequency: tuple[Share, ...] = parameter(
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
    so2_loss_per_hour: float = parameter(
        0.04,
        unit="1/h",
        ge=0,
        le=5,
        source=ASSUMPTION + " (SO2 oxidises to sulphate at about 1-5 % an hour and deposits on the ground)",
        description="first-order loss of SO2 along the plume",
    )
    primary_no2_fraction: float = parameter(
        0.15,
        unit="NO2/NOx",
        ge=0,
        le=1,
        source=ASSUMPTION + " (primary NO2 of a diesel car fleet is 10 to 25 % of its NOx)",
        description="share of the NOx emitted as NO2: it adds to the oxidant (O3 + NO2) of the cell",
    )
    leighton_ratio_ppb: float = parameter(
        20.0,
        unit="ppb",
        gt=0,
        le=100,
        source="calibrated so that Marseille Rabatau reads just above 40 µg/m³ of NO2 in 2021, the only "
        "station of the region to (AtmoSud, bilan 2021), under the PM10 fit of its street; photolysis over "
        "reaction rate, J/k, is about 18 ppb at midday",
        description="effective photostationary ratio NO.O3/NO2 that splits a cell's NOx and oxidant "
        "into NO, NO2 and O3",
    )
    ground_dispersion_factor: float = parameter(
        1.0,
        unit="factor",
        gt=0,
        le=20,
        source="calibrated on the 2019 PM10 of Marseille Longchamp and Aix École d'Art (ampsim/world/data/"
        "pm10_2019_calibration.csv): 1, no correction, once streets have their own increment",
        description="multiplier of the response to ground-level releases (traffic, heating), kept to test "
        "how much regime-mean winds miss of night-time inversions",
    )

    @model_validator(mode="after")
    def _check_months(self) -> PollutionParameters:
        """Regime frequencies are monthly shares that leave room for the moderate regime; shares sum to 1."""
        for name in ("mistral_frequency", "sea_breeze_frequency", "calm_frequency", "heating_monthly_share"):
            _monthly(getattr(self, name))
        total = np.add(np.add(self.mistral_frequency, self.sea_breeze_frequency), self.calm_frequency)
        if np.any(total > 1.0 + 1e-9):
            raise ValueError("Mistral, sea-breeze and calm frequencies add up to more than 1 in a month")
        if abs(sum(self.heating_monthly_share) - 1.0) > 1e-6:
            raise ValueError("heating_monthly_share must sum to 1")
        if abs(sum(self.critair_fleet_share) - 1.0) > 1e-6:
            raise ValueError("critair_fleet_share must sum to 1")
        return self
