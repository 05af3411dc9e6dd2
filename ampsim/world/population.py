"""The synthetic population: residents generated zone by zone from the census figures.

For each zone: `population x scale` residents; ages and sexes from the national pyramid rescaled
to the zone's share of 15-29 year-olds; a highest diploma tilted by the zone's income; a labour
status from the metropolis's activity rates by sex and age, with unemployment risks by age, sex
and diploma scaled so that the zone's expected unemployment rate is its census rate; an income per
consumption unit, log-normal around the zone's Filosofi median and ranked with diploma and
employment; a home cell inside the zone, denser near its centre; then households formed from the
census household structure (`ampsim/world/households.py`), whose members share the income and
home cell of the household's oldest member. All of it vectorised over residents (loops run over
the 107 zones only).
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers

import numpy as np
import pandas as pd
from scipy.special import expit, logit, ndtri

from ampsim.core.errors import InputError
from ampsim.core.parameters import ASSUMPTION, ParameterGroup, Relative, parameter
from ampsim.core.seeds import ReplicateSeeds
from ampsim.world.homes import draw_home_cells, priority_homes_to_the_poorest
from ampsim.world.households import (
    HouseholdParameters,
    Households,
    form_households,
    household_composition,
)
from ampsim.world.residents import Residents, Status, labour_defaults
from ampsim.world.territory import MARSEILLE_CODE, Territory, read_data_csv

_INSEE_EMPLOYMENT_BY_DIPLOMA = (
    "INSEE Références 'Emploi, chômage, revenus du travail' 2023, 'Inégalités face au chômage', "
    "figure 1: unemployment 13.2 % for at most the brevet, 4.7 % for higher education, 7.3 % "
    "overall in 2022 (https://www.insee.fr/fr/statistiques/7456881); the two middle levels are "
    "interpolated (modelling assumption)"
)


class PopulationParameters(ParameterGroup):
    """Choices made when generating the initial residents."""

    free_slot_share: float = parameter(
        0.06,
        unit="share of the initial residents",
        ge=0,
        le=1,
        source="room for growth: the projection adds 1.5 % by 2040 (0.108 %/year) and a large "
        "programme a few per cent more; arrivals and births beyond it are turned away and "
        "counted; modelling choice",
        description="free slots kept after the initial residents, which births and arrivals take",
    )
    income_sigma: float = parameter(
        0.50,
        unit="log(€)",
        gt=0.0,
        le=1.5,
        source="calibrated: gives a metro poverty rate of 18 % (Bouches-du-Rhône 17.7 % in "
        "2010, PACA 17 % in 2020), Marseille 23 % (26 % reported for 2018), 3rd arrondissement 52 % "
        "(51.3 % in 2012), 8th 9 % (about 10 % in 2012); INSEE and press figures, see docs/MODEL.md",
        description="standard deviation of log income per consumption unit inside a zone",
    )
    income_rank_correlation: float = parameter(
        0.5,
        unit="1",
        ge=0.0,
        le=0.95,
        source=ASSUMPTION,
        description="correlation between log income and socio-economic rank (diploma, "
        "employment) inside a zone",
    )
    education_income_tilt: float = parameter(
        2.0,
        unit="logit per log(€)",
        ge=0.0,
        le=10.0,
        source=ASSUMPTION,
        description="shift of the ordered-logit diploma distribution per unit of log(zone "
        "median income / metro median)",
    )
    unemployment_risk_by_education: tuple[Relative, Relative, Relative, Relative] = parameter(
        (1.81, 1.15, 1.05, 0.64),
        unit="relative risk",
        source=_INSEE_EMPLOYMENT_BY_DIPLOMA,
        description="unemployment risk of the four diploma levels relative to all actives",
    )
    students_among_inactive_15_24: float = parameter(
        0.81,
        unit="1",
        ge=0.0,
        le=1.0,
        source="derived from INSEE census 2022 AMP (EMP T1, EMP T2): (133,727 students - about "
        "15,000 aged 25+) / 145,762 inactive 15-24 year-olds",
        description="share of inactive 15-24 year-olds who are pupils or students",
    )
    students_among_inactive_25_54: float = parameter(
        0.15,
        unit="1",
        ge=0.0,
        le=1.0,
        source="derived from INSEE census 2022 AMP (EMP T1, EMP T2) and enrolment rates at 25-29 "
        "(11 %) and 30+ (1.1 %), INSEE FOR T1 2021: about 15,000 students among 99,464 inactive",
        description="share of inactive 25-54 year-olds who are students",
    )
    retired_among_inactive_55_64: float = parameter(
        0.617,
        unit="1",
        ge=0.0,
        le=1.0,
        source="derived from INSEE census 2022 AMP (EMP T1, EMP T2): 57,312 retirees / 92,916 "
        "inactive 55-64 year-olds",
        description="share of inactive 55-64 year-olds who are retired",
    )
    home_density_length: float = parameter(
        0.5,
        unit="zone radii",
        gt=0.0,
        le=10.0,
        source=ASSUMPTION,
        description="length of the exponential decay of home density from the zone centre, "
        "as a fraction of the radius of a disc of the zone's area",
    )
    priority_income_noise: float = parameter(
        1.0,
        unit="log income per consumption unit",
        ge=0.0,
        le=10.0,
        source="calibrated: poverty rate 41 % in the metropolis's QPV (Filosofi 2019, AUPA); the "
        "model 44.6 % in its first year, 40.9 % in its third (0.5 gives 54.2 % and 49.9 %)",
        description="noise on the log income by which each zone's poorest households take its homes "
        "in priority neighbourhoods at the start (0: exactly the poorest; large: at random)",
    )


def check_scale(scale: object) -> float:
    """A user's scale as a float in [minimum_scale(), 1], or an InputError that says what was
    expected (and, below the minimum, why)."""
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real):
        raise InputError(f"scale: expected a number in (0, 1], got {scale!r}")
    value = float(scale)
    if not (math.isfinite(value) and 0.0 < value <= 1.0):
        raise InputError(f"scale: expected a number in (0, 1], got {scale!r}")
    problem = scale_minimum_problem(value)
    if problem:
        raise InputError(f"scale: {problem}")
    return value


def scale_minimum_problem(scale: float) -> str | None:
    """Why a scale in (0, 1] is too small for the model, or None: every zone has at least one
    simulated resident, and below 1 / (twice the smallest zone's population) that zone's one
    resident would stand for more than twice its real population."""
    minimum, name, people = _smallest_zone()
    if scale >= minimum:
        return None
    return (
        f"expected at least {minimum:.3g} (1/{2 * people}), got {scale:g}: at a smaller scale the "
        f"smallest zone, {name} ({people} inhabitants), would be one simulated resident standing for "
        "more than twice its population"
    )


def minimum_scale() -> float:
    """The smallest scale the model accepts: the smallest zone's one simulated resident stands
    for at most twice its population."""
    return _smallest_zone()[0]


@functools.lru_cache(maxsize=1)
def _smallest_zone() -> tuple[float, str, int]:
    """(minimum scale, name, population) of the least populated zone of the territory."""
    zones = read_data_csv("zones.csv", usecols=["insee_code", "name", "population"])
    zones = zones[zones["insee_code"] != MARSEILLE_CODE]  # its arrondissements are the zones
    smallest = zones.loc[zones["population"].idxmin()]
    people = int(smallest["population"])
    return 1.0 / (2 * people), str(smallest["name"]), people


def residents_per_zone(population: np.ndarray, scale: float) -> np.ndarray:
    """Simulated residents per zone: population x scale by largest remainder, at least one each."""
    exact = population * check_scale(scale)
    counts = np.floor(exact).astype(np.int64)
    shortfall = round(float(exact.sum())) - int(counts.sum())
    if shortfall > 0:
        counts[np.argsort(-(exact - counts), kind="stable")[:shortfall]] += 1
    return np.maximum(counts, 1)


def synthesise_population(
    territory: Territory,
    scale: float,
    seeds: ReplicateSeeds,
    params: PopulationParameters | None = None,
    households: HouseholdParameters | None = None,
) -> Residents:
    """Generate the residents of the metropolis at `scale` from one replicate's seeds."""
    return synthesise_residents_and_households(territory, scale, seeds, params, households)[0]


def synthesise_residents_and_households(
    territory: Territory,
    scale: float,
    seeds: ReplicateSeeds,
    params: PopulationParameters | None = None,
    households: HouseholdParameters | None = None,
) -> tuple[Residents, Households]:
    """The residents and the households they were grouped into (`form_households`, after the
    labour status, from its own stream `population.households`, so no other draw moves)."""
    params = params or PopulationParameters()
    zones = territory.zones
    counts = residents_per_zone(territory.population, scale)
    zone = np.repeat(np.arange(territory.n_zones, dtype=np.uint8), counts)
    sex, age_months = draw_age_and_sex(
        zone, zones["share_15_29_pct"].to_numpy() / 100, seeds.generator("population.age")
    )
    education = draw_education(
        zone,
        zones["median_income_eur"].to_numpy(),
        territory.population,
        params,
        seeds.generator("population.education"),
    )
    status = draw_labour_status(
        zone,
        sex,
        age_months // 12,
        education,
        zones["unemployment_rate_pct"].to_numpy() / 100,
        params,
        seeds.generator("population.labour"),
    )
    household, formed = form_households(
        zone,
        age_months // 12,
        sex,
        status,
        household_composition(territory),
        seeds.generator("population.households"),
        households,
    )
    income = draw_income(
        zone,
        education,
        status,
        zones["median_income_eur"].to_numpy(),
        params,
        seeds.generator("population.income"),
    )
    home_cell = draw_home_cells(
        territory, counts, params.home_density_length, seeds.generator("population.home")
    )
    reference = reference_members(household, age_months, formed.n)
    income = household_incomes(zone, household, income, reference)
    home = priority_homes_to_the_poorest(
        home_cell[reference],
        zone[reference],
        income[reference],
        territory.grid.cell_priority,
        params.priority_income_noise,
        seeds.generator("population.priority"),
    )
    residents = Residents(
        weight=territory.total_population / zone.size,
        zone=zone,
        home_cell=home[household],
        household=household,
        age_months=age_months,
        sex=sex,
        education=education,
        status=status,
        income=income,
        **labour_defaults(zone.size),
    )
    residents.origin[:] = zone  # everyone carries the traits of the zone they live in at the start
    return residents, formed


def reference_members(household: np.ndarray, age_months: np.ndarray, n_households: int) -> np.ndarray:
    """The slot of each household's oldest member (the lowest slot among equals): the reference
    person, whose home cell the household shares and whose drawn income ranks it."""
    order = np.lexsort((np.arange(household.size), -age_months.astype(np.int64), household))
    starts = np.searchsorted(household[order], np.arange(n_households))
    return order[starts]


def household_incomes(
    zone: np.ndarray, household: np.ndarray, income: np.ndarray, reference: np.ndarray
) -> np.ndarray:
    """One income per consumption unit per household, shared by its members, such that each
    zone's residents keep the distribution of the incomes drawn for them: the zone's households,
    ranked by their reference person's drawn income, take consecutive blocks of the zone's
    drawn incomes in ascending order (one place per member), and each household the income at
    the middle of its block. So the ranking by diploma and employment of the reference person
    carries over, and each zone's median stays its Filosofi median."""
    size = np.bincount(household, minlength=reference.size)
    by_household = np.lexsort((income[reference], zone[reference]))  # zone by zone, poorest first
    block_start = np.cumsum(size[by_household]) - size[by_household]
    ascending = income[np.lexsort((income, zone))]  # the same zones in the same order
    shared = np.empty(reference.size, dtype=income.dtype)
    shared[by_household] = ascending[block_start + size[by_household] // 2]
    return shared[household]


def draw_age_and_sex(
    zone: np.ndarray, share_15_29: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Sex and age in months from the national pyramid, rescaled to each zone's 15-29 share."""
    pyramid = read_data_csv("age_pyramid_france.csv")
    people = pyramid[["male", "female"]].to_numpy(float)  # (bands, 2)
    youth = ((pyramid["age_min"] >= 15) & (pyramid["age_max"] <= 29)).to_numpy()
    band_min = pyramid["age_min"].to_numpy()
    band_months = (pyramid["age_max"].to_numpy() - band_min + 1) * 12

    category = np.empty(zone.size, dtype=np.int64)  # band * 2 + sex
    uniform = rng.random(zone.size)
    for z, (start, stop) in enumerate(_zone_slices(zone, share_15_29.size)):
        weights = people.copy()
        weights[youth] *= share_15_29[z] / people[youth].sum()
        weights[~youth] *= (1 - share_15_29[z]) / people[~youth].sum()
        cdf = np.cumsum(weights.ravel())
        category[start:stop] = np.searchsorted(cdf / cdf[-1], uniform[start:stop], side="right")
    band, sex = np.divmod(category, 2)
    months_into_band = np.floor(rng.random(zone.size) * band_months[band]).astype(np.int64)
    age_months = band_min[band] * 12 + months_into_band
    return sex.astype(np.uint8), age_months.astype(np.uint16)


def draw_education(
    zone: np.ndarray,
    median_income: np.ndarray,
    population: np.ndarray,
    params: PopulationParameters,
    rng: np.random.Generator,
) -> np.ndarray:
    """Highest diploma: the reference mix, tilted towards higher levels in richer zones.

    Children and students get the level they are heading for, drawn the same way.
    """
    zone_cdf = education_cdf_by_zone(median_income, population, params)
    uniform = rng.random(zone.size)
    education = (uniform[:, None] >= zone_cdf[zone]).sum(axis=1)
    return education.astype(np.uint8)


def education_cdf_by_zone(
    median_income: np.ndarray, population: np.ndarray, params: PopulationParameters
) -> np.ndarray:
    """P(diploma <= k) for k = 0, 1, 2 in each zone (zones x 3): an ordered logit around the
    reference mix, shifted by the zone's log median income relative to the metro."""
    shares = read_data_csv("education_reference.csv")["share_pct"].to_numpy(float)
    cumulative = np.cumsum(shares / shares.sum())[:-1]
    metro_log_median = np.average(np.log(median_income), weights=population)
    tilt = params.education_income_tilt * (np.log(median_income) - metro_log_median)
    return expit(logit(cumulative)[None, :] - tilt[:, None])


def metro_education_cdf(n_zones: int) -> np.ndarray:
    """P(diploma <= k) for k = 0, 1, 2, the metro's reference mix, the same for every zone
    (zones x 3): the diplomas of people who arrive from outside, whatever zone they settle in."""
    shares = read_data_csv("education_reference.csv")["share_pct"].to_numpy(float)
    cumulative = np.cumsum(shares / shares.sum())[:-1]
    return np.repeat(cumulative[None, :], n_zones, axis=0)


def draw_labour_status(
    zone: np.ndarray,
    sex: np.ndarray,
    age_years: np.ndarray,
    education: np.ndarray,
    unemployment_rate: np.ndarray,
    params: PopulationParameters,
    rng: np.random.Generator,
) -> np.ndarray:
    """Census labour status; each zone's expected unemployment rate (15-64) is its census rate."""
    labour = read_data_csv("labour_amp_2022.csv")
    n = zone.size
    status = np.full(n, Status.RETIRED, dtype=np.uint8)
    status[age_years < 15] = Status.IN_EDUCATION
    working_age = (age_years >= 15) & (age_years <= 64)

    activity = np.zeros(n)
    age_sex_risk = np.zeros(n)
    metro_rate = 1 - labour["employed"].sum() / labour["active"].sum()
    for row in labour.itertuples():
        group = (
            (sex == (0 if row.sex == "M" else 1)) & (age_years >= row.age_min) & (age_years <= row.age_max)
        )
        activity[group] = row.active / row.population
        age_sex_risk[group] = (1 - row.employed / row.active) / metro_rate

    draws = rng.random((3, n))
    active = working_age & (draws[0] < activity)
    inactive = working_age & ~active
    young, prime, senior = age_years <= 24, (age_years >= 25) & (age_years <= 54), age_years >= 55
    student_share = np.select(
        [young, prime], [params.students_among_inactive_15_24, params.students_among_inactive_25_54], 0.0
    )
    status[inactive] = Status.INACTIVE
    status[inactive & (draws[1] < student_share)] = Status.IN_EDUCATION
    status[inactive & senior & (draws[1] < params.retired_among_inactive_55_64)] = Status.RETIRED

    risk = age_sex_risk * np.asarray(params.unemployment_risk_by_education)[education]
    n_zones = unemployment_rate.size
    active_count = np.bincount(zone[active], minlength=n_zones)
    mean_risk = np.bincount(zone[active], weights=risk[active], minlength=n_zones)
    mean_risk = mean_risk / np.maximum(active_count, 1)
    p_unemployed = np.minimum(unemployment_rate[zone] * risk / np.maximum(mean_risk[zone], 1e-12), 1.0)
    status[active] = np.where(draws[2][active] < p_unemployed[active], Status.UNEMPLOYED, Status.EMPLOYED)
    return status


def draw_income(
    zone: np.ndarray,
    education: np.ndarray,
    status: np.ndarray,
    median_income: np.ndarray,
    params: PopulationParameters,
    rng: np.random.Generator,
) -> np.ndarray:
    """Income per consumption unit: log-normal around the zone median, ranked with diploma and work.

    A Gaussian copula: the resident's rank inside the zone on (diploma + employment + noise)
    becomes an exact standard-normal score S; log income = log(median) + sigma * (rho S +
    sqrt(1 - rho^2) eps). The marginal stays N(0, 1), so each zone's median is its Filosofi median
    in expectation, whatever rho.
    """
    n = zone.size
    score = (
        education.astype(float)
        + (status == Status.EMPLOYED)
        - (status == Status.UNEMPLOYED)
        + 0.5 * rng.standard_normal(n)
    )
    order = np.lexsort((score, zone))
    counts = np.bincount(zone, minlength=median_income.size)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(n)
    rank[order] = np.arange(n) - starts[zone[order]]
    normal_score = ndtri((rank + 0.5) / counts[zone])
    rho = params.income_rank_correlation
    latent = rho * normal_score + math.sqrt(1 - rho**2) * rng.standard_normal(n)
    return (median_income[zone] * np.exp(params.income_sigma * latent)).astype(np.float32)


def _zone_slices(zone: np.ndarray, n_zones: int):
    """(start, stop) of each zone's residents; residents are stored sorted by zone."""
    bounds = np.searchsorted(zone, np.arange(n_zones + 1))
    return itertools.pairwise(bounds)


def population_summary(territory: Territory, residents: Residents) -> pd.DataFrame:
    """Per zone and for the metro: simulated figures (real-population units) beside the data."""
    zones = territory.zones
    n_zones = territory.n_zones
    zone = residents.zone
    age = residents.age_years()
    working_age = (age >= 15) & (age <= 64)
    unemployed = working_age & (residents.status == Status.UNEMPLOYED)
    active = unemployed | (working_age & (residents.status == Status.EMPLOYED))
    youth = (age >= 15) & (age <= 29)

    def per_zone(mask: np.ndarray) -> np.ndarray:
        return np.bincount(zone[mask], minlength=n_zones).astype(float)

    people = per_zone(np.ones(residents.n, dtype=bool))
    order = np.lexsort((residents.income, zone))
    starts = np.concatenate([[0], np.cumsum(people.astype(np.int64))])
    sorted_income = residents.income[order].astype(float)
    medians = np.array([np.median(sorted_income[a:b]) for a, b in itertools.pairwise(starts)])

    table = pd.DataFrame(
        {
            "code": territory.codes,
            "zone": territory.names,
            "people": people * residents.weight,
            "people_data": territory.population,
            "unemployment_pct": 100 * per_zone(unemployed) / np.maximum(per_zone(active), 1),
            "unemployment_pct_data": zones["unemployment_rate_pct"].to_numpy(),
            "median_income": medians,
            "median_income_data": zones["median_income_eur"].to_numpy(float),
            "youth_share_pct": 100 * per_zone(youth) / people,
            "youth_share_pct_data": zones["share_15_29_pct"].to_numpy(),
        }
    )
    metro_reference = read_data_csv("metro_reference.csv").set_index("indicator")["value"]
    metro = {
        "code": 200054807,
        "zone": "Metropolis (AMP)",
        "people": residents.n * residents.weight,
        "people_data": territory.total_population,
        "unemployment_pct": 100 * unemployed.sum() / max(active.sum(), 1),
        "unemployment_pct_data": metro_reference["unemployment_rate_15_64"],
        "median_income": float(np.median(residents.income)),
        "median_income_data": np.nan,  # no metro-wide Filosofi median in the project's data
        "youth_share_pct": 100 * youth.mean(),
        "youth_share_pct_data": np.average(zones["share_15_29_pct"], weights=territory.population),
    }
    return pd.concat([table, pd.DataFrame([metro])], ignore_index=True)


def entrant_status_cdf(params: PopulationParameters, max_age: int = 120) -> np.ndarray:
    """Cumulative status probabilities of a new resident by sex and age in years (2 x ages x 6).

    The same activity rates and inactive splits as the initial population; an active newcomer
    arrives looking for work (UNEMPLOYED) and finds a job through the labour market.
    """
    labour = read_data_csv("labour_amp_2022.csv")
    probabilities = np.zeros((2, max_age + 1, len(Status)))
    probabilities[:, :15, Status.IN_EDUCATION] = 1.0
    probabilities[:, 65:, Status.RETIRED] = 1.0
    for row in labour.itertuples():
        sex = 0 if row.sex == "M" else 1
        active = row.active / row.population
        for age in range(row.age_min, row.age_max + 1):
            if age <= 24:
                student, retired = params.students_among_inactive_15_24, 0.0
            elif age <= 54:
                student, retired = params.students_among_inactive_25_54, 0.0
            else:
                student, retired = 0.0, params.retired_among_inactive_55_64
            inactive = 1.0 - active
            probabilities[sex, age, Status.UNEMPLOYED] = active
            probabilities[sex, age, Status.IN_EDUCATION] = inactive * student
            probabilities[sex, age, Status.RETIRED] = inactive * retired
            probabilities[sex, age, Status.INACTIVE] = inactive * (1 - student - retired)
    return np.cumsum(probabilities, axis=2)
