"""Exposure to NO2, PM10 and PM2.5 at home, the health burden (WHO exposure-response), and the
mortality hazard that long-term exposure raises.

Each resident breathes the monthly concentration of their home cell, lowered by the share of it
an aware resident avoids. Cumulative exposure is kept per resident. Deaths attributable to a
pollutant follow the log-linear exposure-response of the WHO 2021 reviews: for a resident with
monthly death probability m, the attributable part is m x (1 - exp(-beta (C - C_ref)+)),
beta = ln(RR)/10, with the WHO guideline as counterfactual. PM2.5 and NO2 burdens overlap and are
reported separately, never added.

Deaths are also simulated from exposure: the demography's death probability of a resident is
multiplied by exp(beta_PM (P - P0) + (1 - o) beta_NO2 (N - N0)), P and N the mean PM2.5 and NO2 of
the home cell over the last twelve months (long-term exposure), P0 and N0 the metro's
population-weighted means in the life table's year, and o the share of the NO2 effect that is
PM2.5's already (the two overlap). The life table then holds at the metro's mean exposure, and a
cleaner or dirtier home moves a resident's hazard by the same functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit, prange

from ampsim.core.chunks import chunk_bounds, chunks_for
from ampsim.core.parameters import ASSUMPTION, Concentration, ParameterGroup, parameter
from ampsim.core.submodel import Submodel
from ampsim.world.residents import Status
from ampsim.world.view import ModelView

if TYPE_CHECKING:
    from ampsim.submodels.pollution import PollutionModel

_WHO_2021 = "WHO global air quality guidelines 2021"
LONG_TERM_MONTHS = 12  # the exposure-response functions are for annual means


class ExposureParameters(ParameterGroup):
    """Exposure-response functions and the thresholds reported."""

    relative_risk_pm25: float = parameter(
        1.08,
        le=5,
        unit="per 10 µg/m³",
        gt=1,
        source="all-cause mortality, 1.08 (1.06-1.09), WHO 2021 review (Chen & Hoek 2020)",
        description="relative risk of death per 10 µg/m³ of long-term PM2.5",
    )
    relative_risk_no2: float = parameter(
        1.02,
        le=5,
        unit="per 10 µg/m³",
        gt=1,
        source="all-cause mortality, 1.02 (1.01-1.04), WHO-commissioned review 2020",
        description="relative risk of death per 10 µg/m³ of long-term NO2",
    )
    who_guideline_no2: float = parameter(
        10.0,
        le=1000,
        unit="µg/m³",
        gt=0,
        source=_WHO_2021,
        description="WHO annual guideline for NO2 (and counterfactual)",
    )
    who_guideline_pm10: float = parameter(
        15.0, unit="µg/m³", gt=0, le=1000, source=_WHO_2021, description="WHO annual guideline for PM10"
    )
    who_guideline_pm25: float = parameter(
        5.0,
        le=1000,
        unit="µg/m³",
        gt=0,
        source=_WHO_2021,
        description="WHO annual guideline for PM2.5 (and counterfactual)",
    )
    mortality_reference_pm25: float = parameter(
        8.5,
        unit="µg/m³",
        ge=0,
        le=100,
        source="derived: the metro's population-weighted annual PM2.5 of its home cells in 2023, the year of "
        "the life table (demography.mortality_level_*): 8.45 in `ampsim run --start 2023-01 --months 12`",
        description="long-term PM2.5 at which a resident dies at the life table's rate",
    )
    mortality_reference_no2: float = parameter(
        12.0,
        unit="µg/m³",
        ge=0,
        le=200,
        source="derived: the metro's population-weighted annual NO2 of its home cells in 2023, as for "
        "PM2.5: 11.96",
        description="long-term NO2 at which a resident dies at the life table's rate",
    )
    air_mortality: bool = parameter(
        True,
        unit="switch",
        source="the exposure-response functions above; off for a study that wants the life table alone",
        description="whether long-term exposure raises the simulated death hazard (attributable deaths "
        "are counted either way)",
    )
    no2_mortality_overlap: float = parameter(
        0.33,
        unit="share",
        ge=0,
        le=1,
        source=ASSUMPTION + " (WHO HRAPIE 2013 warns that up to a third of the NO2 effect may be PM2.5's; "
        "its figure was not read here)",
        description="share of the NO2 mortality effect left out of the simulated hazard because the PM2.5 "
        "effect holds it",
    )
    eu_limits_until_2029: tuple[Concentration, Concentration, Concentration] = parameter(
        (40.0, 40.0, 25.0),
        unit="µg/m³",
        source="EU ambient air quality directive 2008/50 (annual limits), as summarised by AirClim",
        description="annual EU limit values for NO2, PM10, PM2.5 until 2029",
    )
    eu_limits_from_2030: tuple[Concentration, Concentration, Concentration] = parameter(
        (20.0, 20.0, 10.0),
        unit="µg/m³",
        source="EU directive 2024/2881 (annual limits from 2030), as summarised by AirClim",
        description="annual EU limit values for NO2, PM10, PM2.5 from 2030",
    )


class Exposure(Submodel):
    """Monthly exposure, cumulative exposure and attributable deaths by zone."""

    runs_in_spin_up = False  # the air is not simulated before the start

    def setup(self, model: ModelView) -> None:
        n = model.territory.n_zones
        grid = model.territory.grid
        self.concentration_sum = np.zeros((n, 3))  # sum over residents, for population weighting
        self.residents_by_zone = np.zeros(n)
        self.above_who = np.zeros((n, 3))
        self.above_eu = np.zeros((n, 3))
        self.attributable_deaths = np.zeros((n, 2))  # PM2.5, NO2 (simulated deaths)
        self.recent = np.zeros((LONG_TERM_MONTHS, 2, grid.ny * grid.nx))  # the last months' PM2.5, NO2
        self.months_seen = 0
        self.hazard_by_home_cell = np.ones(grid.cell_flat.size)  # what next month's deaths read

    def eu_limits(self, year: int) -> np.ndarray:
        limits = self.params.eu_limits_from_2030 if year >= 2030 else self.params.eu_limits_until_2029
        return np.array(limits, dtype=float)

    def step(
        self, model: ModelView, air: PollutionModel, avoidance: float, death_probability: np.ndarray
    ) -> None:
        """Exposure at home to the month's `air`; a fully aware resident avoids a share
        `avoidance` of it; deaths attributable at the monthly `death_probability` by sex and age."""
        p = self.params
        r = model.residents
        grid = model.territory.grid
        pollution = air
        self.concentration_sum[:] = 0
        self.above_who[:] = 0
        self.above_eu[:] = 0
        self.attributable_deaths[:] = 0
        tables = ExposureTables(
            cell_flat=grid.cell_flat,
            no2=pollution.no2.ravel(),
            pm10=pollution.pm10.ravel(),
            pm25=pollution.pm25.ravel(),
            avoidance=avoidance,
            who=np.array([p.who_guideline_no2, p.who_guideline_pm10, p.who_guideline_pm25]),
            eu=self.eu_limits(model.year),
            death_probability=death_probability,
            beta_pm25=np.log(p.relative_risk_pm25) / 10,
            beta_no2=np.log(p.relative_risk_no2) / 10,
        )
        exposure_kernel(
            r.kernel_view(),
            tables,
            chunks_for(r.n),
            self.concentration_sum,
            self.above_who,
            self.above_eu,
            self.attributable_deaths,
        )
        present = r.present()
        self.residents_by_zone = np.bincount(r.zone[present], minlength=model.territory.n_zones).astype(float)
        self.update_hazard(model, pollution)

    def update_hazard(self, model: ModelView, air: PollutionModel) -> None:
        """Each home cell's death-hazard multiplier from its mean PM2.5 and NO2 over the last twelve
        months (fewer at the start of a run)."""
        p = self.params
        self.recent[self.months_seen % LONG_TERM_MONTHS] = air.pm25.ravel(), air.no2.ravel()
        self.months_seen += 1
        if not p.air_mortality:
            return
        pm25, no2 = self.recent[: min(self.months_seen, LONG_TERM_MONTHS)].mean(axis=0)
        beta_pm25 = np.log(p.relative_risk_pm25) / 10
        beta_no2 = (1 - p.no2_mortality_overlap) * np.log(p.relative_risk_no2) / 10
        log_hazard = beta_pm25 * (pm25 - p.mortality_reference_pm25) + beta_no2 * (
            no2 - p.mortality_reference_no2
        )
        self.hazard_by_home_cell = np.exp(log_hazard)[model.territory.grid.cell_flat]

    def zone_means(self) -> np.ndarray:
        """The month's NO2, PM10 and PM2.5 breathed by each zone's residents, (n_zones, 3); zeros
        before the first month."""
        return np.divide(
            self.concentration_sum,
            self.residents_by_zone[:, None],
            out=np.zeros_like(self.concentration_sum),
            where=self.residents_by_zone[:, None] > 0,
        )


class ExposureTables(NamedTuple):
    """What the exposure kernel reads besides the residents (read-only)."""

    cell_flat: np.ndarray  # grid cell of each home cell
    no2: np.ndarray  # the month's concentrations by grid cell, µg/m³
    pm10: np.ndarray
    pm25: np.ndarray
    avoidance: float  # share of exposure a fully aware resident avoids
    who: np.ndarray  # WHO guidelines for NO2, PM10, PM2.5
    eu: np.ndarray  # EU limits for NO2, PM10, PM2.5 this year
    death_probability: np.ndarray  # monthly, by sex and age in years
    beta_pm25: float  # ln(RR) per µg/m³
    beta_no2: float


@njit(cache=True, parallel=True)
def exposure_kernel(
    r, tables, n_chunks, concentration_sum, above_who, above_eu, attributable_deaths
):  # pragma: no cover - compiled
    """Accumulate each resident's exposure (`r`: ResidentArrays) and the zone sums, threshold
    counts and burden. Chunks in parallel, each with its own zone sums, added in chunk order (see
    `ampsim.core.chunks`)."""
    # unpacked before prange (see ResidentArrays)
    zone = r.zone
    home_cell = r.home_cell
    age_months = r.age_months
    sex = r.sex
    status = r.status
    awareness = r.awareness
    exposure_no2 = r.exposure_no2
    exposure_pm25 = r.exposure_pm25
    cell_flat = tables.cell_flat
    who = tables.who
    eu = tables.eu
    death_probability = tables.death_probability
    n_zones = concentration_sum.shape[0]
    sums = np.zeros((n_chunks, n_zones, 3))
    counts = np.zeros((n_chunks, 2, n_zones, 3), dtype=np.int32)  # above the WHO guideline, the EU limit
    deaths = np.zeros((n_chunks, n_zones, 2))
    # a cell's values at one awareness level: NO2, PM10, PM2.5 breathed; attributable fractions of
    # PM2.5 and NO2. Residents of a cell mostly share an awareness level, so each chunk keeps the
    # values of the last level met in each cell and computes them again only for another level.
    level = np.full((n_chunks, cell_flat.size), -1, dtype=np.int16)
    values = np.zeros((n_chunks, cell_flat.size, 5))
    max_age = death_probability.shape[1] - 1
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        for i in range(start, stop):
            if status[i] == Status.ABSENT:  # a free slot
                continue
            home, a = home_cell[i], awareness[i]
            if level[c, home] != a:
                level[c, home] = a
                cell = cell_flat[home]
                _breathed(values[c, home], cell, a, tables)
            v = values[c, home]
            z = zone[i]
            exposure_no2[i] += v[0]
            exposure_pm25[i] += v[2]
            for k in range(3):
                sums[c, z, k] += v[k]
                counts[c, 0, z, k] += v[k] > who[k]  # counted without branches
                counts[c, 1, z, k] += v[k] > eu[k]
            m = death_probability[sex[i], min(age_months[i] // 12, max_age)]
            deaths[c, z, 0] += m * v[3]
            deaths[c, z, 1] += m * v[4]
    for c in range(n_chunks):
        concentration_sum += sums[c]
        above_who += counts[c, 0]
        above_eu += counts[c, 1]
        attributable_deaths += deaths[c]


@njit(cache=True, inline="always")
def _breathed(out, cell, awareness, tables):  # pragma: no cover - compiled
    """NO2, PM10, PM2.5 breathed in grid `cell` at a given awareness; the attributable fractions
    of PM2.5 and NO2, 1 - exp(-beta (C - guideline)) above the guideline, 0 below (`tables`:
    ExposureTables, read only; writes `out`)."""
    who = tables.who
    reduction = 1.0 - tables.avoidance * awareness / 255.0
    no2, pm10, pm25 = tables.no2[cell], tables.pm10[cell], tables.pm25[cell]
    out[0], out[1], out[2] = no2 * reduction, pm10 * reduction, pm25 * reduction
    out[3] = 1.0 - np.exp(-tables.beta_pm25 * (out[2] - who[2])) if out[2] > who[2] else 0.0
    out[4] = 1.0 - np.exp(-tables.beta_no2 * (out[0] - who[0])) if out[0] > who[0] else 0.0
