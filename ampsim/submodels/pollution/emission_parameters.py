"""What the air receives: regional backgrounds and their trends, road traffic (exhaust and
non-exhaust), residential heating, the trends of industry and shipping, and the street a traffic
station stands on (values and sources in docs/pollution.md)."""

from __future__ import annotations

from ampsim.core.parameters import ASSUMPTION, ParameterGroup, Share, bounded, parameter

EmissionFactor = bounded(0.0, 10.0)  # g/vehicle-km
ByCritAir = tuple[
    EmissionFactor, EmissionFactor, EmissionFactor, EmissionFactor, EmissionFactor
]  # 0-1, 2, 3, 4, 5+
# the streets a traffic station may stand on (stations.csv, column road_type)
ROAD_TYPES = ("motorway", "arterial", "boulevard", "street")
Vehicles = bounded(0.0, 300_000.0)
Dilution = bounded(0.0, 5.0)
ByRoadType = tuple[Vehicles, Vehicles, Vehicles, Vehicles]
DilutionByRoadType = tuple[Dilution, Dilution, Dilution, Dilution]

_ATMOSUD_TREND = (
    "AtmoSud 'Bouches-du-Rhone chiffres cles': NO2 about -40 % and PM10 about -50 % since 2000 "
    "; the rate is ln(remaining share) / 23 years"
)
_MARSEILLE_ROAD = (
    "derived: calibrated so that Marseille's road NOx is 45 % of its NOx (1,771 t a year, with "
    "shipping 37 % = 1,456 t; AtmoSud 2023 inventory) under the reference commuting "
    "traffic (python -m ampsim.studies.air_calibration prints the check)"
)
_PM10_2019 = (
    "calibrated on the 2019 PM10 means of five AtmoSud stations (ampsim/world/data/"
    "pm10_2019_calibration.csv; python -m ampsim.studies.air_calibration prints the fit)"
)


class EmissionParameters(ParameterGroup):
    """Backgrounds, road traffic, heating, source trends and the near-road increment."""

    # --- regional background ---------------------------------------------------------
    background_no2: float = parameter(
        7.0,
        unit="µg/m³",
        ge=0,
        le=40,
        source=ASSUMPTION
        + " (rural NO2 is a few µg/m³; this background also holds sources the grid does not "
        "resolve, such as motorway through traffic and plumes from beyond 40 km; the 2030 limit "
        "of 20 is exceeded only in agglomerations and the Fos/Berre zone, AtmoSud 2022)",
        description="regional background NO2 (reference year, annual mean); its NOx follows from the "
        "NO-NO2-O3 balance with the background ozone",
    )
    background_pm10: float = parameter(
        13.9,
        unit="µg/m³",
        ge=0,
        le=60,
        source=_PM10_2019 + "; secondary aerosol, sea salt and dust (72 % of the region above the WHO "
        "PM10 guideline of 15, AtmoSud 2021)",
        description="regional background PM10 (reference year, annual mean)",
    )
    background_pm25: float = parameter(
        7.5,
        unit="µg/m³",
        ge=0,
        le=40,
        source=ASSUMPTION + " (the whole population is above the WHO guideline of 5, so the background "
        "alone exceeds it; AtmoSud 2021)",
        description="regional background PM2.5 (reference year, annual mean)",
    )
    background_so2: float = parameter(
        1.0,
        unit="µg/m³",
        ge=0,
        le=40,
        source=ASSUMPTION + " (rural SO2 in western Europe is about 1 µg/m³ since the sulphur caps on fuels)",
        description="regional background SO2 (annual mean)",
    )
    background_o3: float = parameter(
        70.0,
        unit="µg/m³",
        ge=0,
        le=200,
        source=ASSUMPTION + " (rural ozone of Provence, among the highest in France; 44 % of east "
        "Bouches-du-Rhône residents exposed to ozone exceedances, Air PACA about 2015)",
        description="regional background ozone (annual mean), titrated by NO near the sources",
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
    background_seasonal_amplitude_o3: float = parameter(
        0.30,
        unit="share",
        ge=0,
        lt=1,
        source=ASSUMPTION + " (photochemical ozone peaks in summer)",
        description="relative amplitude of the background ozone cycle (maximum in July)",
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
        description="year at which backgrounds and emission factors take their nominal values; a run "
        "starting in another year (2019 to 2026) follows the trends from it",
    )

    # --- road traffic ----------------------------------------------------------------
    road_nox_g_per_km: float = parameter(
        0.40,
        unit="g/vehicle-km",
        ge=0,
        le=5,
        source=ASSUMPTION + " (fleet-average NOx of a mostly diesel car fleet in urban driving, order of "
        "magnitude of the EMEP/EEA guidebook)",
        description="NOx emitted per car-km (as NO2 mass)",
    )
    road_nonexhaust_pm10_g_per_km: float = parameter(
        0.065,
        unit="g/vehicle-km",
        ge=0,
        le=1,
        source=_PM10_2019 + " (Marseille Rabatau against Longchamp); brake, tyre and road wear are about "
        "0.02 g/km in the EMEP/EEA guidebook, the rest is the resuspension of road dust, large in dry "
        "Mediterranean cities",
        description="non-exhaust PM10 (brake, tyre and road wear, resuspension) per car-km; does not "
        "depend on the engine, so a low-emission zone leaves it",
    )
    road_nonexhaust_pm25_share: float = parameter(
        0.40,
        unit="share",
        ge=0,
        le=1,
        source=ASSUMPTION + " (wear particles are mostly coarse: PM2.5 is 40 to 70 % of tyre and brake "
        "PM10 and less of road dust)",
        description="PM2.5 share of the non-exhaust PM10 (exhaust particles are all PM2.5)",
    )
    road_nox_trend: float = parameter(
        -0.04,
        unit="1/year",
        ge=-0.3,
        le=0.1,
        source=ASSUMPTION + " (fleet renewal towards Euro 6d vehicles)",
        description="relative change per year of the NOx emission factor (baseline fleet renewal)",
    )
    road_exhaust_pm_trend: float = parameter(
        -0.08,
        unit="1/year",
        ge=-0.3,
        le=0.1,
        source=ASSUMPTION + " (diesel particle filters since Euro 5, 2011, replace the older cars)",
        description="relative change per year of the exhaust PM emission factor; non-exhaust PM has no trend",
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
        "order of magnitude of the EMEP/EEA guidebook; their fleet mean, 0.013 g/km, is the fleet's "
        "exhaust PM factor)",
        description="exhaust PM10 (= PM2.5) emitted per car-km by Crit'Air class 0-1, 2, 3, 4, 5+",
    )
    background_traffic_km_per_resident: float = parameter(
        320.0,
        unit="vehicle-km per resident per month",
        ge=0,
        le=5_000,
        source=_MARSEILLE_ROAD,
        description="non-commuting road traffic (other trips, goods vehicles, through traffic) per "
        "resident, in car-km equivalents, placed where the simulated residents live that month",
    )

    # --- residential heating ---------------------------------------------------------
    heating_pm25_kg_per_resident: float = parameter(
        0.15,
        unit="kg/resident/year",
        ge=0,
        le=5,
        source=ASSUMPTION + " (wood burning in a mild climate; residential heating is one of Marseille's "
        "main emitters, AtmoSud)",
        description="PM2.5 emitted by residential heating per resident and year (metro mean)",
    )
    heating_pm10_kg_per_resident: float = parameter(
        0.16,
        unit="kg/resident/year",
        ge=0,
        le=5,
        source=ASSUMPTION + " (wood smoke is almost all fine particles)",
        description="PM10 emitted by residential heating per resident and year (metro mean)",
    )
    wood_heating_half_density: float = parameter(
        1_500.0,
        unit="residents/km²",
        gt=0,
        le=100_000,
        source=_PM10_2019 + " (Marseille Longchamp against Aix École d'Art); wood stoves and fireplaces "
        "are in houses, not flats, so heating particles per resident fall where people live densely",
        description="density of residents at which the heating PM emitted per resident is half that of "
        "a sparse area; the metro total stays heating_pm*_kg_per_resident x residents",
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

    # --- industry and shipping ---------------------------------------------------------
    industry_emission_trend: float = parameter(
        -0.03,
        unit="1/year",
        ge=-0.3,
        le=0.1,
        source=ASSUMPTION + " (regional emissions fell 7.6 % for NOx and 15 % for PM2.5 from 2022 to 2023, "
        "AtmoSud inventory 2023, all sectors; a slower long-run rate for industry)",
        description="relative change per year of the industrial sources' emissions",
    )
    shipping_emission_trend: float = parameter(
        -0.01,
        unit="1/year",
        ge=-0.3,
        le=0.1,
        source=ASSUMPTION + " (traffic grows while engines clean up slowly)",
        description="relative change per year of the port and shipping sources' emissions",
    )
    shipping_so2_before_2020: float = parameter(
        2.0,
        unit="factor",
        ge=1,
        le=10,
        source=ASSUMPTION + " (the IMO 2020 cap cut the sulphur of marine fuel at sea from 3.5 % to 0.5 %; "
        "ships at berth in EU ports have burnt 0.1 % fuel since 2010, so the port's SO2 fell less)",
        description="shipping SO2 before 2020 as a multiple of its value under the 2020 sulphur cap",
    )

    # --- the street a traffic station stands on ------------------------------------------
    near_road_daily_vehicles: ByRoadType = parameter(
        (90_000.0, 60_000.0, 25_000.0, 8_000.0),
        unit="vehicles/day",
        source=ASSUMPTION + " (orders of magnitude of the daily traffic of an urban motorway, a main "
        "arterial road, a town boulevard and a local street; Rabatau stands on an arterial, Aix Roy "
        "René on the boulevard ring of the old town)",
        description="daily traffic, in car equivalents, of a motorway, arterial, boulevard and street "
        "next to a traffic station",
    )
    near_road_dilution_s_per_m2: DilutionByRoadType = parameter(
        (0.10, 0.24, 0.25, 0.30),
        unit="s/m²",
        source=_PM10_2019 + " for the arterial (Rabatau); the others: " + ASSUMPTION + " (a ground line "
        "source read 10 m from its edge: 2 / (sqrt(2 pi) sigma_z u) with sigma_z 3-5 m and u 1-2 m/s, "
        "higher in the narrower streets where buildings trap the air)",
        description="concentration at the road edge per unit line emission (µg/m³ per µg/m/s) by road "
        "type, in a month of average wind; the roadside point reads it after the near-road decay",
    )
    roadside_distance_m: float = parameter(
        10.0,
        unit="m",
        ge=0,
        le=500,
        source=ASSUMPTION,
        description="distance of a roadside point from the road edge",
    )
    near_road_decay_nox: float = parameter(
        0.0027,
        unit="1/m",
        ge=0,
        le=1,
        source="Liu, Chen & Xue 2019 meta-analysis (Heliyon 5:e02236)",
        description="exponential decay rate of the NOx increment away from a road",
    )
    near_road_decay_pm: float = parameter(
        0.0026,
        unit="1/m",
        ge=0,
        le=1,
        source="black carbon rate of Liu, Chen & Xue 2019, used for traffic PM",
        description="exponential decay rate of the traffic PM increment away from a road",
    )

    @property
    def fleet_exhaust_pm_g_per_km(self) -> float:
        """Exhaust PM10 (= PM2.5) of the metro fleet per car-km: the Crit'Air classes' mean."""
        return float(
            sum(
                s * g
                for s, g in zip(self.critair_fleet_share, self.critair_exhaust_pm10_g_per_km, strict=True)
            )
        )
