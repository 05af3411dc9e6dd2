"""The air-pollution submodel's parameters: emissions, wind regimes, dispersion and chemistry
(values and sources in docs/pollution.md)."""

from __future__ import annotations

import numpy as np
from pydantic import model_validator

from ampsim.core.parameters import ASSUMPTION, ParameterGroup, Share, bounded, parameter

REGIMES = ("mistral", "sea_breeze", "calm", "moderate")
SECONDS_PER_YEAR = 365.25 * 86_400.0
SECONDS_PER_MONTH = SECONDS_PER_YEAR / 12
EmissionFactor = bounded(0.0, 10.0)  # g/vehicle-km
ByCritAir = tuple[
    EmissionFactor, EmissionFactor, EmissionFactor, EmissionFactor, EmissionFactor
]  # 0-1, 2, 3, 4, 5+

_ATMOSUD_TREND = (
    "AtmoSud 'Bouches-du-Rhone chiffres cles': NO2 about -40 % and PM10 about -50 % since 2000 "
    "; the rate is ln(remaining share) / 23 years"
)
_MARSEILLE_ROAD = (
    "derived: calibrated so that Marseille's road NOx is 45 % of its NOx (1,771 t a year, with "
    "shipping 37 % = 1,456 t; AtmoSud 2023 inventory) under the reference commuting "
    "traffic (python -m ampsim.studies.air_calibration prints the check)"
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
    # --- the fleet by Crit'Air class: 0-1 (electric, petrol Euro 5+), 2, 3, 4, 5 and unclassified
    critair_fleet_share: tuple[Share, Share, Share, Share, Share] = parameter(
        (0.343, 0.352, 0.210, 0.061, 0.034),
        unit="share of cars",
        source="SDES, cars at 1 January 2022 in the intercommunalities with a ZFE: Crit'Air 0-1 34.3 %, "
        "5 and unclassified 3.4 %, 4 and worse 9.5 %, 3 and worse 30.5 % (the AMP row was not in the "
        "sources read; Marseille: 31 % Crit'Air 3 and worse, BNP Paribas Mobility, early 2024)",
        description="share of the car fleet in each Crit'Air class 0-1, 2, 3, 4, 5+ (sums to 1)",
    )
    critair_nox_g_per_km: ByCritAir = parameter(
        (0.05, 0.45, 0.65, 0.80, 0.95),
        unit="g/vehicle-km",
        source=ASSUMPTION + " (urban real-world NOx by class: petrol and electric, diesel Euro 5-6, diesel "
        "Euro 4, Euro 3, Euro 2 and older; order of magnitude of the EMEP/EEA guidebook; their fleet mean "
        "0.39 g/km is road_nox_g_per_km)",
        description="NOx emitted per car-km by Crit'Air class 0-1, 2, 3, 4, 5+",
    )
    critair_exhaust_pm10_g_per_km: ByCritAir = parameter(
        (0.001, 0.003, 0.030, 0.050, 0.080),
        unit="g/vehicle-km",
        source=ASSUMPTION + " (exhaust PM by class: particle filters from diesel Euro 5, none before; "
        "order of magnitude of the EMEP/EEA guidebook; their fleet mean 0.013 g/km is the exhaust part of "
        "road_pm10_g_per_km)",
        description="exhaust PM10 emitted per car-km by Crit'Air class 0-1, 2, 3, 4, 5+ (brake, tyre and "
        "road wear do not depend on the class)",
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
    heating_monthly_share: tuple[Share, ...] = parameter(
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
        if abs(sum(self.critair_fleet_share) - 1.0) > 1e-6:
            raise ValueError("critair_fleet_share must sum to 1")
        if np.dot(self.critair_fleet_share, self.critair_exhaust_pm10_g_per_km) > self.road_pm10_g_per_km:
            raise ValueError("the fleet's exhaust PM10 exceeds road_pm10_g_per_km")
        return self
