"""Flows across the metropolis's boundary: migration by age, commuting, and where programme jobs
come from and who takes them.

Pure functions and one parameter group; nothing here changes the residents. The demography and
the labour market read these rates once the metropolis is opened (design in
docs/OPEN_METROPOLIS.md); the labour market already reads each home's distance to the boundary,
near which out-commuters live. Every default rests on a figure of `ampsim/world/data/boundary.csv`,
which gives its value, year, geography and source, or is marked as a modelling assumption.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from pydantic import model_validator
from scipy import ndimage

from ampsim.core.errors import InputError
from ampsim.core.parameters import ASSUMPTION, ParameterGroup, Share, parameter
from ampsim.world.grid import Grid
from ampsim.world.territory import read_data_csv

MAX_AGE = 120  # oldest age in years, as in the demography
AGE_BANDS = ((0, 17), (18, 24), (25, 34), (35, 49), (50, 64), (65, 79), (80, MAX_AGE))
BAND_NAMES = tuple(f"{low}-{high}" if high < MAX_AGE else f"{low}+" for low, high in AGE_BANDS)
FERTILE_AGES = (15, 49)  # the ages whose number sets the births of the projection

BandRates = tuple[Share, Share, Share, Share, Share, Share, Share]
_BANDS_TEXT = "by age band 0-17, 18-24, 25-34, 35-49, 50-64, 65-79, 80+"
_MIGRATION_SOURCE = (
    "shaped on the census: AMP net migration -0.1 %/year (INSEE 2015) to about 0 (2013-2018); "
    "Bouches-du-Rhône gains students and loses people over 25 (Sud Insee 133); AMP loses people "
    "aged 50-64 to the south (Insee Analyses PACA 32); gross flows about 2 %/year from 8.2 % of "
    "2006 residents arrived within 5 years (Sud Insee 133); band values are a modelling "
    "assumption, see docs/OPEN_METROPOLIS.md"
)


class BoundaryParameters(ParameterGroup):
    """Migration, natural balance, commuting and programme jobs at the metropolis's boundary."""

    out_migration: BandRates = parameter(
        (0.017, 0.042, 0.040, 0.020, 0.013, 0.009, 0.006),
        unit="1/year",
        source=_MIGRATION_SOURCE,
        description=f"annual probability that a resident leaves the metropolis, {_BANDS_TEXT}",
    )
    in_migration: BandRates = parameter(
        (0.016, 0.050, 0.036, 0.018, 0.010, 0.008, 0.006),
        unit="arrivals per resident per year",
        source=_MIGRATION_SOURCE,
        description=f"people arriving from outside per resident of the same age, {_BANDS_TEXT}",
    )
    employment_elasticity_in: float = parameter(
        2.0,
        unit="1",
        ge=0,
        le=10,
        source="in-migration responds more than out-migration (Monras 2015); size to calibrate "
        "on the share of new jobs taken by in-migrants; modelling assumption",
        description="elasticity of a zone's in-migration to its employment rate relative to the metro",
    )
    employment_elasticity_out: float = parameter(
        -1.0,
        unit="1",
        ge=-10,
        le=0,
        source=ASSUMPTION,
        description="elasticity of a zone's out-migration to its employment rate relative to the metro",
    )
    rent_elasticity_in: float = parameter(
        -0.5,
        unit="1",
        ge=-10,
        le=0,
        source="sign from AMP losing households to its near periphery for houses and ownership "
        "(Insee Analyses PACA 32); size a modelling assumption",
        description="elasticity of a zone's in-migration to its rent relative to the metro",
    )
    rent_elasticity_out: float = parameter(
        0.5,
        unit="1",
        ge=0,
        le=10,
        source="as rent_elasticity_in; modelling assumption",
        description="elasticity of a zone's out-migration to its rent relative to the metro",
    )
    vacancy_elasticity_in: float = parameter(
        1.0,
        unit="1",
        ge=0,
        le=10,
        source="arrivals settle where dwellings are on the market: over 90 % of the occupants of new "
        "dwellings already lived in AMP (Insee Analyses PACA 32), so new homes draw arrivals "
        "mostly through the homes their movers vacate; size a modelling assumption",
        description="elasticity of a zone's in-migration to its vacant dwellings relative to the start",
    )
    arrivals_employed_share: Share = parameter(
        0.7,
        unit="share of active arrivals",
        source="for 3 employed movers in 10 the move comes with a spell out of work (DARES Analyses "
        "2019-015); calibrated: at 0.7, 17 % of the arrivals aged 15 or more arrive unemployed and "
        "they make 5.7 % of the metro's unemployed a year, against 18.9 % (23,500 of 124,200) and "
        "6.2 % for Occitanie in 2012, a share PACA is below (Insee Analyses Occitanie, December "
        "2016, insee.fr/fr/statistiques/2522496)",
        description="active arrivals who come with a job in the metropolis (the rest arrive as job "
        "seekers); they take last month's vacancies within reach of their home",
    )
    birth_rate: float = parameter(
        12.6,
        unit="births per 1,000 residents per year",
        ge=0,
        le=30,
        source="Bouches-du-Rhône 2021, INSEE via Wikipedia 'Démographie des Bouches-du-Rhône'",
        description="crude birth rate on the start year's age structure (the projection's fertility)",
    )
    death_rate: float = parameter(
        9.1,
        unit="deaths per 1,000 residents per year",
        gt=0,
        le=30,
        source="Bouches-du-Rhône 2021, INSEE via Wikipedia 'Démographie des Bouches-du-Rhône'",
        description="crude death rate on the start year's age structure (the projection's mortality level)",
    )
    mortality_slope: float = parameter(
        0.10,
        unit="1/year",
        gt=0,
        le=0.2,
        source="the demography's Gompertz slope; modelling assumption",
        description="Gompertz slope of the projection's mortality by age",
    )
    projected_growth_pct: float = parameter(
        0.108,
        unit="% per year",
        ge=-2,
        le=2,
        source="INSEE Omphale 2022 central scenario, PACA 5,052,836 (2018) to 5,230,000 (2050) "
        "(Insee Flash PACA 84), derived; no figure for AMP or Bouches-du-Rhône alone was found",
        description="baseline growth of the metro's population that the rates must reproduce",
    )
    out_commuting_share: Share = parameter(
        0.06,
        unit="share of employed residents",
        source="well below the PACA average of 1 in 5 working outside their intercommunality "
        "(INSEE 2016), AMP being the region's largest employment area; modelling assumption",
        description="employed residents whose job is outside the metropolis",
    )
    in_commuter_share: Share = parameter(
        0.105,
        unit="share of the metro's jobs",
        source="derived: (1.05 - 1 + out_commuting_share) / 1.05 from the job concentration index "
        "of 105 jobs per 100 employed residents (AGAM, 2012)",
        description="jobs in the metropolis held by people living outside it",
    )
    relocated_share: Share = parameter(
        0.5,
        unit="share of a programme's jobs",
        source="lower end of the enterprise-zone evidence: two thirds of ZFU establishments were "
        "transfers (Rathelot & Sillard 2009), 50-80 % relocations (Papke 1993); modelling assumption",
        description="default share of a job-creating programme's jobs moved from elsewhere in the metro",
    )
    net_new_to_in_migrants: Share = parameter(
        0.5,
        unit="share of net-new jobs",
        source="US long run: about 3/4 of new jobs go to non-residents (Bartik 1993, derived); "
        "lowered for weaker European mobility (Decressin & Fatás 1995); modelling assumption",
        description="long-run share of a programme's net-new jobs taken by people who move in",
    )
    net_new_to_in_commuters: Share = parameter(
        0.10,
        unit="share of net-new jobs",
        source="about the in-commuters' share of the metro's jobs (in_commuter_share); half of the "
        "Pays d'Aix's extra jobs went to non-residents (Sud Insee 144); modelling assumption",
        description="long-run share of a programme's net-new jobs taken by in-commuters",
    )

    @model_validator(mode="after")
    def _net_new_shares_fit(self) -> BoundaryParameters:
        """In-migrants and in-commuters cannot take more than all the net-new jobs."""
        if self.net_new_to_in_migrants + self.net_new_to_in_commuters > 1:
            raise ValueError(
                "net_new_to_in_migrants + net_new_to_in_commuters: expected at most 1, got "
                f"{self.net_new_to_in_migrants + self.net_new_to_in_commuters:g}"
            )
        return self


# --- rates by age ------------------------------------------------------------------------------
def band_of_age(age_years: np.ndarray) -> np.ndarray:
    """Index of the age band (AGE_BANDS) of each age in years."""
    age = np.asarray(age_years)
    if age.size and (np.min(age) < 0 or not np.all(np.isfinite(age))):
        raise InputError("age_years: expected finite ages of 0 or more")
    uppers = np.array([high for _, high in AGE_BANDS])
    return np.minimum(np.searchsorted(uppers, age, side="left"), len(AGE_BANDS) - 1)


def by_age(band_values: tuple[float, ...] | np.ndarray) -> np.ndarray:
    """A value per single year of age 0..MAX_AGE from one value per age band."""
    values = np.asarray(band_values, dtype=float)
    if values.shape != (len(AGE_BANDS),):
        raise InputError(f"band_values: expected {len(AGE_BANDS)} values, got shape {values.shape}")
    return values[band_of_age(np.arange(MAX_AGE + 1))]


def monthly_probability(annual: float | np.ndarray) -> np.ndarray:
    """P(event within a month) from P(event within a year), for a constant hazard."""
    p = np.asarray(annual, dtype=float)
    if not np.all(np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise InputError("annual: expected probabilities between 0 and 1")
    return 1 - (1 - p) ** (1 / 12)


def monthly_migration(params: BoundaryParameters) -> tuple[np.ndarray, np.ndarray]:
    """Monthly out-migration probability and in-migrant arrivals per resident, by year of age.

    Arrivals are a flow, not a probability: their monthly rate is the annual one over 12."""
    return monthly_probability(by_age(params.out_migration)), by_age(params.in_migration) / 12


def band_shares(age_structure: np.ndarray) -> np.ndarray:
    """Shares of the age bands from shares by single year of age 0..MAX_AGE."""
    shares = _checked_structure(age_structure)
    return np.bincount(band_of_age(np.arange(shares.size)), weights=shares, minlength=len(AGE_BANDS))


def _checked_structure(age_structure: np.ndarray, name: str = "age_structure") -> np.ndarray:
    """The age structure as floats, after checking it is a set of shares."""
    shares = np.asarray(age_structure, dtype=float)
    if shares.ndim != 1 or not 0 < shares.size <= MAX_AGE + 1:
        raise InputError(f"{name}: expected shares by year of age 0 to {MAX_AGE}, got shape {shares.shape}")
    if not np.all(np.isfinite(shares)) or np.any(shares < 0) or not np.isclose(shares.sum(), 1, atol=1e-6):
        raise InputError(f"{name}: expected non-negative shares summing to 1, got sum {shares.sum():g}")
    return shares


# --- migration of a population -----------------------------------------------------------------
class MigrationFlows(NamedTuple):
    """People a year: arrivals, departures and their difference."""

    arrivals: float
    departures: float
    net: float


def expected_migration(
    population: float,
    bands: np.ndarray,
    params: BoundaryParameters,
    in_multiplier: float = 1.0,
    out_multiplier: float = 1.0,
) -> MigrationFlows:
    """Yearly arrivals and departures of a population with the given age-band shares
    (`band_shares`), the rates scaled by a zone's multipliers (`migration_multipliers`)."""
    _check_positive(population, "population", allow_zero=True)
    shares = np.asarray(bands, dtype=float)
    if shares.shape != (len(AGE_BANDS),) or np.any(shares < 0) or not np.isclose(shares.sum(), 1, atol=1e-6):
        raise InputError(f"bands: expected {len(AGE_BANDS)} non-negative shares summing to 1")
    _check_positive(in_multiplier, "in_multiplier", allow_zero=True)
    _check_positive(out_multiplier, "out_multiplier", allow_zero=True)
    arrivals = population * in_multiplier * float(shares @ np.asarray(params.in_migration))
    departures = population * min(1.0, out_multiplier) * float(shares @ np.asarray(params.out_migration))
    return MigrationFlows(arrivals, departures, arrivals - departures)


def net_migration_rate(bands: np.ndarray, params: BoundaryParameters) -> float:
    """Net migration as a share of the population per year."""
    return expected_migration(1.0, bands, params).net


def migration_multipliers(
    employment_rate: np.ndarray,
    rent: np.ndarray,
    reference_employment_rate: float,
    reference_rent: float,
    params: BoundaryParameters,
) -> tuple[np.ndarray, np.ndarray]:
    """Factors on each zone's in- and out-migration from its employment rate and rent relative
    to the metropolis (constant elasticities; 1 for a zone at the reference)."""
    employment = _positive_array(employment_rate, "employment_rate")
    rents = _positive_array(rent, "rent")
    if employment.shape != rents.shape:
        raise InputError(f"rent: expected the shape of employment_rate {employment.shape}, got {rents.shape}")
    _check_positive(reference_employment_rate, "reference_employment_rate")
    _check_positive(reference_rent, "reference_rent")
    e, r = employment / reference_employment_rate, rents / reference_rent
    in_factor = e**params.employment_elasticity_in * r**params.rent_elasticity_in
    out_factor = e**params.employment_elasticity_out * r**params.rent_elasticity_out
    return in_factor, out_factor


# --- commuting and programme jobs -------------------------------------------------------------
def in_commuter_share_of_jobs(job_concentration_index: float, out_commuting_share: float) -> float:
    """Share of the metro's jobs held by non-residents, from jobs per employed resident and the
    share of employed residents working outside: jobs = employed (1 - out) + in."""
    _check_positive(job_concentration_index, "job_concentration_index")
    if not 0 <= out_commuting_share <= 1:
        raise InputError(f"out_commuting_share: expected a share between 0 and 1, got {out_commuting_share}")
    share = (job_concentration_index - 1 + out_commuting_share) / job_concentration_index
    if share < 0:
        raise InputError(
            f"out_commuting_share: {out_commuting_share} is too small for a concentration index of "
            f"{job_concentration_index}: the metro would have fewer jobs than residents working in it"
        )
    return share


def distance_to_boundary_km(grid: Grid) -> np.ndarray:
    """Distance from each territory cell to the nearest land beyond the metropolis's boundary, km
    (cell centre to cell centre). The land beyond is the land no zone owns that reaches the edge
    of the grid: the sea is not a way out, and the few unowned cells enclosed by the territory
    are not the world outside it."""
    outside_land = grid.land & (grid.zone_of_cell < 0)
    labels, _ = ndimage.label(outside_land)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    beyond = np.isin(labels, edge[edge > 0])
    if not beyond.any():
        raise InputError("grid: no land beyond the territory reaches the grid's edge")
    distance = ndimage.distance_transform_edt(~beyond) * grid.cell_km
    return distance.ravel()[grid.cell_flat]


class JobSplit(NamedTuple):
    """A programme's jobs by origin, and its net-new jobs by who takes them in the long run."""

    relocated: float
    net_new: float
    to_in_migrants: float
    to_in_commuters: float
    to_residents: float


def programme_job_split(
    jobs: float, params: BoundaryParameters, relocated_share: float | None = None
) -> JobSplit:
    """Split a programme's jobs into relocated and net new (its declared share, or the default),
    and the net-new ones between in-migrants, in-commuters and residents."""
    _check_positive(jobs, "jobs", allow_zero=True)
    share = params.relocated_share if relocated_share is None else relocated_share
    if not (isinstance(share, int | float) and 0 <= share <= 1):
        raise InputError(f"relocated_share: expected a share between 0 and 1, got {share!r}")
    net_new = jobs * (1 - share)
    migrants = net_new * params.net_new_to_in_migrants
    commuters = net_new * params.net_new_to_in_commuters
    return JobSplit(jobs * share, net_new, migrants, commuters, net_new - migrants - commuters)


# --- the projection check ----------------------------------------------------------------------
def metro_age_structure() -> np.ndarray:
    """Shares by year of age 0..MAX_AGE of the metro's residents as the model builds them: the
    national pyramid (census 2018), tilted to the metro's share of 15-29 year-olds (census 2022)."""
    pyramid = read_data_csv("age_pyramid_france.csv")
    zones = read_data_csv("zones.csv", dtype={"insee_code": str})
    zones = zones[zones["insee_code"] != "13055"]  # Marseille is its 16 arrondissements
    youth_share = float(np.average(zones["share_15_29_pct"], weights=zones["population"])) / 100
    return _tilted_pyramid(pyramid, youth_share)


def _tilted_pyramid(pyramid: pd.DataFrame, youth_share: float) -> np.ndarray:
    """Single-year shares from five-year groups, with the 15-29 groups scaled to `youth_share`."""
    people = (pyramid["male"] + pyramid["female"]).to_numpy(float)
    youth = ((pyramid["age_min"] >= 15) & (pyramid["age_max"] <= 29)).to_numpy()
    people[youth] *= youth_share / people[youth].sum()
    people[~youth] *= (1 - youth_share) / people[~youth].sum()
    shares = np.zeros(MAX_AGE + 1)
    for count, low, high in zip(people, pyramid["age_min"], pyramid["age_max"], strict=True):
        shares[low : high + 1] = count / (high - low + 1)
    return shares / shares.sum()


def _death_probability(level: float, slope: float) -> np.ndarray:
    """Annual P(death) by year of age for the Gompertz hazard level·exp(slope·age)."""
    hazard = level * np.exp(slope * (np.arange(MAX_AGE + 1) + 0.5))
    probability = 1 - np.exp(-hazard)
    probability[-1] = 1.0
    return probability


def calibrated_natural_rates(
    age_structure: np.ndarray, params: BoundaryParameters
) -> tuple[np.ndarray, float]:
    """Annual P(death) by age and births per resident aged 15-49 that give the cited crude death
    and birth rates on this age structure; the rates by age then stay fixed as it ages."""
    shares = _checked_structure(age_structure)
    shares = np.pad(shares, (0, MAX_AGE + 1 - shares.size))
    target = params.death_rate / 1000
    low, high = 1e-12, 1.0  # bisection on the log of the Gompertz level
    for _ in range(100):
        level = np.sqrt(low * high)
        deaths = float(shares @ _death_probability(level, params.mortality_slope))
        low, high = (level, high) if deaths < target else (low, level)
    fertile = shares[FERTILE_AGES[0] : FERTILE_AGES[1] + 1].sum()
    if fertile <= 0:
        raise InputError("age_structure: nobody aged 15-49, so no birth rate can be calibrated")
    return _death_probability(np.sqrt(low * high), params.mortality_slope), params.birth_rate / 1000 / fertile


def projected_population(
    start_population: float, age_structure: np.ndarray, years: int, params: BoundaryParameters
) -> np.ndarray:
    """Population at the start and after each of `years` years (cohort-component: deaths,
    births, departures and arrivals by year of age, then everyone a year older)."""
    _check_positive(start_population, "start_population")
    if not isinstance(years, int | np.integer) or isinstance(years, bool) or not 0 <= years <= 200:
        raise InputError(f"years: expected a whole number of years from 0 to 200, got {years!r}")
    shares = np.pad(_checked_structure(age_structure), (0, MAX_AGE + 1 - np.size(age_structure)))
    death, fertility = calibrated_natural_rates(shares, params)
    out_rate, in_rate = by_age(params.out_migration), np.asarray(params.in_migration)
    band = band_of_age(np.arange(MAX_AGE + 1))
    people = start_population * shares
    totals = [people.sum()]
    for _ in range(int(years)):
        people = _one_year(people, death, fertility, out_rate, in_rate, band)
        totals.append(people.sum())
    return np.array(totals)


def _one_year(people, death, fertility, out_rate, in_rate, band) -> np.ndarray:
    """People by year of age a year later."""
    births = fertility * people[FERTILE_AGES[0] : FERTILE_AGES[1] + 1].sum()
    in_band = np.bincount(band, weights=people, minlength=in_rate.size)
    within = np.divide(people, in_band[band], out=np.zeros_like(people), where=in_band[band] > 0)
    arrivals = (in_rate * in_band)[band] * within
    staying = people * (1 - death) * (1 - out_rate) + arrivals
    older = np.empty_like(people)
    older[0] = births * (1 - death[0] / 2)
    older[1:] = staying[:-1]
    older[-1] += staying[-1]
    return older


def projection_target(start_population: float, years: int, params: BoundaryParameters) -> float:
    """The baseline population after `years` years at the projection's growth rate."""
    _check_positive(start_population, "start_population")
    return start_population * (1 + params.projected_growth_pct / 100) ** years


def boundary_evidence() -> pd.DataFrame:
    """The figures behind the defaults (ampsim/world/data/boundary.csv), indexed by key."""
    return read_data_csv("boundary.csv").set_index("key")


# --- argument checks ---------------------------------------------------------------------------
def _check_positive(value: float, name: str, allow_zero: bool = False) -> None:
    """Raise InputError naming `name` unless value is a finite number > 0 (or >= 0)."""
    ok = isinstance(value, int | float | np.number) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        expected = "a finite number of 0 or more" if allow_zero else "a finite number above 0"
        raise InputError(f"{name}: expected {expected}, got {value!r}")


def _positive_array(values: np.ndarray, name: str) -> np.ndarray:
    """The values as a float array, after checking they are finite and above 0."""
    array = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise InputError(f"{name}: expected finite values above 0")
    return array
