"""What a job pays: monthly net earnings drawn at hire from diploma, years since leaving school,
sex, part-time work and the kind of employer, then kept while the job lasts (growing with
experience, the SMIC and, for a job taken by a job seeker, the catch-up of its re-employment
penalty: `reemployment_penalty`, applied by the income state's kernel).

The full-time-equivalent (FTE) pay of a job is log-normal with two half-widths (a split
log-normal: one spread below the median, one above, so that both the bottom and the top decile of
the published FTE distribution can be met). Its median follows an experience profile through three
knots per diploma, fitted so that the median pay, all working times together, of each diploma x
experience band of INSEE's Formations et emploi 2025 table is met. Part-timers work a share of
full time; nobody earns less than the hourly net SMIC times their hours. Levels are in euros of the
table's period (2022) and follow the SMIC's path afterwards. See docs/EARNINGS.md.

Every draw takes pre-drawn uniforms, so the Numba functions can run inside counter-based random
kernels and give the same result whatever the number of threads.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import numpy as np
from numba import njit
from scipy.special import ndtr

from ampsim.core.checks import finite_array, whole_array
from ampsim.core.errors import InputError
from ampsim.core.parameters import ASSUMPTION, ParameterGroup, Share, bounded, parameter
from ampsim.core.rng import normal_quantile
from ampsim.submodels.income.legislation import load_legislation

N_EDUCATION = 4  # Education levels 0..3 (residents.py)
N_BANDS = 3  # INSEE experience bands: 1-4, 5-10, 11 or more years since leaving school
BAND_EDGES = (1.0, 5.0, 11.0)  # lower edge of each band, years since leaving school
LAST_WORKING_AGE = 65.0  # the fit spreads the last band over ages up to this one
FIRST_SMIC_YEAR, LAST_SMIC_YEAR = 2019, 2100  # before 2023, deflated (legislation.py)

Euro = bounded(100.0, 20_000.0)
Years = bounded(0.0, 40.0)
Age = bounded(14.0, 30.0)
Relative = bounded(0.1, 5.0)

_INSEE_TABLE = (
    "INSEE, Formations et emploi 2025, median monthly net wage, all working times, by diploma and "
    "years since leaving school, France, mean of 2021-2023 "
    "(https://insee.fr/fr/statistiques/8305524?sommaire=8306008)"
)
_DARES_PART_TIME = (
    "Dares, 'Le temps partiel' 2023 (17.4 % of employees; https://dares.travail-emploi.gouv.fr/"
    "donnees/le-temps-partiel), via toutpourlemploi.fr (Apr 2024)"
)


class EarningsParameters(ParameterGroup):
    """The published wage figures, the choices that turn them into a pay draw, arrivals' benefits."""

    median_no_diploma: tuple[Euro, Euro, Euro] = parameter(
        (1200.0, 1300.0, 1500.0),
        unit="EUR/month",
        source=_INSEE_TABLE,
        description="median net pay, no diploma or brevet, 1-4 / 5-10 / 11+ years since school",
    )
    median_cap_bep: tuple[Euro, Euro, Euro] = parameter(
        (1380.0, 1500.0, 1700.0),
        unit="EUR/month",
        source=_INSEE_TABLE,
        description="the same for CAP-BEP",
    )
    median_baccalaureat: tuple[Euro, Euro, Euro] = parameter(
        (1370.0, 1540.0, 1800.0),
        unit="EUR/month",
        source=_INSEE_TABLE,
        description="the same for the baccalauréat",
    )
    median_short_higher: tuple[Euro, Euro, Euro] = parameter(
        (1500.0, 1700.0, 2100.0),
        unit="EUR/month",
        source=_INSEE_TABLE,
        description="the same for short higher education (bac+2)",
    )
    median_long_higher: tuple[Euro, Euro, Euro] = parameter(
        (2000.0, 2200.0, 2650.0),
        unit="EUR/month",
        source=_INSEE_TABLE,
        description="the same for long higher education (bac+3 or more)",
    )
    long_higher_share: tuple[Share, Share, Share] = parameter(
        (0.766, 0.766, 0.623),
        unit="1",
        source="INSEE, enquête Emploi 2023, 'Diplôme le plus élevé selon l'âge et le sexe' "
        "(https://www.insee.fr/fr/statistiques/2416872): above bac+2 among higher-education "
        "graduates, 39.6/(12.1+39.6) at 25-34 for the first two bands, 74.1/118.9 at 35-64",
        description="share of long higher education among graduates, per experience band; the "
        "model's higher-education median is the share-weighted geometric mean of the two rows",
    )
    leaving_age: tuple[Age, Age, Age, Age] = parameter(
        (18.0, 19.0, 20.0, 22.5),
        unit="years",
        source="modelling assumption: usual ages at the end of each course (compulsory schooling "
        "to 16 and some more years, CAP-BEP after 2-3 years, baccalauréat at 18 plus a year of "
        "unfinished study, bac+2 at 20-21 and bac+3-5 at 21-23)",
        description="age at leaving school by diploma level 0-3",
    )
    experience_knots: tuple[Years, Years, Years] = parameter(
        (3.0, 8.0, 11.0),
        unit="years",
        source="middle of INSEE's bands [1, 5) and [5, 11), and the start of 11 or more (the "
        "table says nothing beyond it, so the profile is flat there)",
        description="years since school at which the profile passes through each band's level",
    )
    reference_net_smic: float = parameter(
        1302.4,
        unit="EUR/month",
        ge=500.0,
        le=5000.0,
        source="mean gross hourly SMIC of 2022, 10.57 (Jan-Apr), 10.85 (May-Jul), 11.07 (Aug-Dec) "
        "(openfisca-france smic_b_horaire.yaml: décret 2021-1741, arrêtés of 19 May and 29 July "
        "2022) x 151.67 h x 0.7916 net/gross (legislation.yaml wage.net_to_gross)",
        description="net full-time SMIC of the table's period: the floor used for the fit",
    )
    fte_sigma_below: float = parameter(
        0.10,
        unit="1",
        ge=0.01,
        le=2.0,
        source="fitted: with the floor, gives the private-sector FTE D1 (1,436 EUR, France 2022, "
        "Insee Première 1971, https://www.insee.fr/fr/statistiques/7707884)",
        description="spread of log FTE pay below the median of a diploma x experience cell",
    )
    fte_sigma_above: float = parameter(
        0.60,
        unit="1",
        ge=0.01,
        le=2.0,
        source="fitted to the private-sector FTE D9 (4,162 EUR, France 2022, Insee Première 1971)",
        description="spread of log FTE pay above the median of a cell",
    )
    female_pay_ratio: float = parameter(
        0.859,
        unit="1",
        ge=0.5,
        le=1.5,
        source="women's mean FTE pay 14.1 % below men's, private sector, France 2022 (Insee "
        "Première 1971); 14 % in PACA 2023 (Insee Flash PACA 115)",
        description="women's FTE pay relative to men's of the same diploma and experience",
    )
    women_share: float = parameter(
        0.484,
        unit="1",
        ge=0.0,
        le=1.0,
        source="share of women among the employed of the synthetic population (census 2022 "
        "activity rates by sex and age, labour_amp_2022.csv)",
        description="weight of women when fitting each cell's median",
    )
    part_time_by_sex: tuple[Share, Share] = parameter(
        (0.078, 0.266),
        unit="1",
        source=_DARES_PART_TIME,
        description="share of employees working part time, men and women",
    )
    part_time_by_age: tuple[Share, Share, Share] = parameter(
        (0.26, 0.147, 0.248),
        unit="1",
        source=f"{_DARES_PART_TIME}: 26 % at 15-24, 24.8 % at 55+; 25-54 derived so that the "
        "overall share is 17.4 % with the age mix of the synthetic employed (8.7 % aged 15-24, "
        "17.2 % aged 55+)",
        description="share of employees working part time at 15-24, 25-54 and 55+",
    )
    part_time_overall: float = parameter(
        0.174,
        unit="1",
        ge=0.01,
        le=0.9,
        source=_DARES_PART_TIME,
        description="share of all employees working part time (turns the shares into risks)",
    )
    part_time_by_education: tuple[Relative, Relative, Relative, Relative] = parameter(
        (1.5, 1.1, 1.0, 0.78),
        unit="relative risk",
        source="modelling assumption: part time, involuntary part time above all, is more common "
        "among the less qualified (Dares Analyses 2013-005); mean 1.01 on the employed mix",
        description="part-time risk by diploma level 0-3",
    )
    part_time_max: float = parameter(
        0.9,
        unit="1",
        ge=0.0,
        le=1.0,
        source=ASSUMPTION,
        description="cap on the probability that a job is part time",
    )
    part_time_hours: tuple[Share, Share] = parameter(
        (0.35, 0.95),
        unit="share of full time",
        source="modelling assumption: uniform between these shares, mean 0.65, close to the "
        "23.2 h a week of part-timers against 35 h (Dares Analyses 2013-005, 2011 figures)",
        description="range of the hours of a part-time job",
    )
    startup_pay_factor: float = parameter(
        1.0,
        unit="multiplier",
        ge=0.5,
        le=2.0,
        source="neutral default: for observationally equivalent workers the young-firm wage gap "
        "is economically insignificant once worker and firm effects are held fixed (Babina, Ma, "
        "Moser, Ouimet & Zarutskie, 'Entrepreneurial Wages', SSRN 3177153, 2018); young firms "
        "pay more and small ones less, the typical start-up slightly less (Burton, Dahl & "
        "Sorenson, ILR Review 71(5) 2018)",
        description="FTE pay at a startup relative to an established employer",
    )
    reemployment_penalty: Share = parameter(
        0.175,
        unit="share of monthly pay",
        le=0.5,
        source="Nafilyan, 'Lost and found?: The cost of job loss in France', OECD Social, "
        "Employment and Migration Working Papers 194 (2016), French Labour Force Survey 2003-2011: "
        "re-employed displaced workers suffer a monthly wage penalty of 15-20 % (fewer hours and "
        "a lower wage), the midpoint; Lefranc (2003), wage losses of 10-15 % in France, all from "
        "the firm-specific seniority lost; a range of 0.10-0.20 for sweeps",
        description="monthly pay of a job taken by a job seeker (unemployed or in training) below "
        "what the same draw pays anyone else",
    )
    reemployment_catch_up_months: int = parameter(
        36,
        unit="months",
        ge=1,
        le=120,
        source=f"{ASSUMPTION}: the gap closes over the first three years of the job (Nafilyan 2016: "
        "the differences tend to fall over time; Lefranc 2003: the French loss is the seniority "
        "premium, which a new job earns back); a range of 12-60 months for sweeps",
        description="months over which the pay of a job taken by a job seeker catches up, at a "
        "constant monthly rate",
    )
    arrival_benefit_shares: tuple[Share, Share] = parameter(
        (0.39, 0.08),
        unit="1",
        source="Unédic, 'Les indicateurs de l'Assurance chômage' (Feb 2023): end of Q3 2022, 2.4 of "
        "the 6.2 million registered job seekers were paid ARE; DARES Résultats no. 4 (Jan 2024): "
        "4.1 million had open rights, 3.6 million with the assurance chômage, so 0.5 million, 8 %, "
        "with the State's allowances, mostly the ASS",
        description="shares of the job seekers who enter without a work history (initial "
        "residents, in-migrants) who are on ARE (months left uniform over their longest rights), "
        "and who exhausted it and meet the ASS work condition",
    )


class EarningsTable(NamedTuple):
    """Everything the Numba draw needs, for one month: fitted log FTE medians of men at the knots
    (diploma x knot), the profile, the part-time risks (sex x age band x diploma), the pay factors,
    the index of levels to that month and the net full-time SMIC of that month."""

    log_level: np.ndarray  # float64 (4, 3): log FTE median of men at each knot, table period
    knots: np.ndarray  # float64 (3,): years since school of each knot
    leaving_age: np.ndarray  # float64 (4,)
    sigma_below: float
    sigma_above: float
    part_time: np.ndarray  # float64 (2, 3, 4): probability that a job is part time
    hours_min: float
    hours_max: float
    female_factor: float
    startup_factor: float
    level_index: float  # net SMIC of the month / reference_net_smic
    net_smic: float  # net full-time SMIC of the month, EUR/month
    reemployment_factor: float  # pay of a job taken by a job seeker, relative to the draw
    catch_up_months: int  # months over which that pay catches up
    catch_up_growth: float  # monthly factor of the catch-up: reemployment_factor ** (-1 / months)


# --- the SMIC path ---------------------------------------------------------------------------
def net_smic(year: int, month: int = 1) -> float:
    """Net full-time monthly SMIC in force on the first day of a month: legislation.yaml's gross
    monthly SMIC times its net/gross ratio; after the last dated value, indexed as the
    legislation file indexes euro amounts (its documented yearly rate)."""
    _check_month(year, month)
    legislation = load_legislation()
    date = dt.date(int(year), int(month), 1)
    gross = legislation.parameters["smic.gross_monthly"].value_on(date, legislation.indexation_rate)
    ratio = legislation.parameters["wage.net_to_gross"].value_on(date, legislation.indexation_rate)
    return float(gross) * float(ratio)


def _check_month(year: object, month: object) -> None:
    """One-line ValueError unless year and month are whole numbers in the supported range."""
    if not isinstance(year, int | np.integer) or not FIRST_SMIC_YEAR <= year <= LAST_SMIC_YEAR:
        span = f"{FIRST_SMIC_YEAR} to {LAST_SMIC_YEAR}"
        raise InputError(f"year: expected a whole number from {span}, got {year!r}")
    if not isinstance(month, int | np.integer) or not 1 <= month <= 12:
        raise InputError(f"month: expected a whole number from 1 to 12, got {month!r}")


# --- building the table ----------------------------------------------------------------------
def build_earnings_table(
    params: EarningsParameters | None = None, year: int | None = None, month: int = 1
) -> EarningsTable:
    """The table for a month (for the table's own period, 2022, when year is None): the fitted
    levels, indexed by the SMIC's growth since 2022, with that month's SMIC as the floor."""
    params = params or EarningsParameters()
    smic = params.reference_net_smic if year is None else net_smic(year, month)
    fitted = fit_log_levels(params)
    return _table(params, fitted, smic / params.reference_net_smic, smic)


def table_at(table: EarningsTable, params: EarningsParameters, year: int, month: int = 1) -> EarningsTable:
    """The same fitted table moved to another month (no refit): the month's SMIC as the floor and
    its ratio to the table period's SMIC as the index of levels."""
    smic = net_smic(year, month)
    return table._replace(level_index=smic / params.reference_net_smic, net_smic=smic)


def _table(params: EarningsParameters, log_level: np.ndarray, index: float, smic: float) -> EarningsTable:
    """The table from the parameters and fitted levels."""
    return EarningsTable(
        log_level=np.ascontiguousarray(log_level, dtype=np.float64),
        knots=np.asarray(params.experience_knots, dtype=np.float64),
        leaving_age=np.asarray(params.leaving_age, dtype=np.float64),
        sigma_below=float(params.fte_sigma_below),
        sigma_above=float(params.fte_sigma_above),
        part_time=part_time_risks(params),
        hours_min=float(params.part_time_hours[0]),
        hours_max=float(max(params.part_time_hours)),
        female_factor=float(params.female_pay_ratio),
        startup_factor=float(params.startup_pay_factor),
        level_index=float(index),
        net_smic=float(smic),
        reemployment_factor=1.0 - float(params.reemployment_penalty),
        catch_up_months=int(params.reemployment_catch_up_months),
        catch_up_growth=(1.0 - float(params.reemployment_penalty))
        ** (-1.0 / params.reemployment_catch_up_months),
    )


def target_medians(params: EarningsParameters) -> np.ndarray:
    """The published medians per model diploma level (4 x 3); higher education is the
    share-weighted geometric mean of the short and long rows."""
    w = np.asarray(params.long_higher_share)
    higher = np.exp(w * np.log(params.median_long_higher) + (1 - w) * np.log(params.median_short_higher))
    rows = (params.median_no_diploma, params.median_cap_bep, params.median_baccalaureat, higher)
    return np.array(rows, dtype=np.float64)


def part_time_risks(params: EarningsParameters) -> np.ndarray:
    """Probability that a job is part time, by sex x age band x diploma (2 x 3 x 4): the share of
    the sex times the relative risks of age and diploma, capped."""
    by_sex = np.asarray(params.part_time_by_sex)[:, None, None]
    by_age = (np.asarray(params.part_time_by_age) / params.part_time_overall)[None, :, None]
    by_education = np.asarray(params.part_time_by_education)[None, None, :]
    return np.minimum(by_sex * by_age * by_education, params.part_time_max).astype(np.float64)


def fit_log_levels(params: EarningsParameters, iterations: int = 60) -> np.ndarray:
    """Log FTE medians of men at the knots (4 x 3) such that each diploma x band cell's median
    pay, all working times, meets the published one. Each cell is a mixture of men and women of
    every age in the band (uniform over its years), full- and part-timers, above the floor; a
    cell whose published median cannot be met above the floor keeps its FTE median at the floor."""
    targets = np.log(target_medians(params))
    floor = np.log(params.reference_net_smic)
    table = _table(params, targets.copy(), 1.0, params.reference_net_smic)
    groups = _cell_groups(params, table)
    level = targets.copy()
    for _ in range(iterations):
        table = table._replace(log_level=level)
        medians = _cell_medians(table, groups, floor)
        level = np.maximum(level + targets - medians, floor)
    return level


def _cell_groups(params: EarningsParameters, table: EarningsTable, n_ages: int = 24) -> list:
    """Per cell: (education, experience years, weight, part-time probability, pay factor) of the
    men and women at evenly spaced points of the band."""
    cells = []
    for education in range(N_EDUCATION):
        leaving = params.leaving_age[education]
        for band in range(N_BANDS):
            low = BAND_EDGES[band]
            high = BAND_EDGES[band + 1] if band + 1 < N_BANDS else LAST_WORKING_AGE - leaving
            years = low + (np.arange(n_ages) + 0.5) * (high - low) / n_ages
            rows = []
            for sex, weight in ((0, 1 - params.women_share), (1, params.women_share)):
                factor = 1.0 if sex == 0 else params.female_pay_ratio
                for y in years:
                    p = table.part_time[sex, age_band(leaving + y), education]
                    rows.append((education, y, weight / n_ages, p, factor))
            cells.append(np.array(rows))
    return cells


def _cell_medians(table: EarningsTable, groups: list, floor: float) -> np.ndarray:
    """Median pay, all working times, of each cell's mixture (4 x 3, log euros)."""
    hours = table.hours_min + (np.arange(32) + 0.5) / 32 * (table.hours_max - table.hours_min)
    out = np.empty(len(groups))
    for c, rows in enumerate(groups):
        mu = np.array([log_fte_median(int(e), y, table) for e, y in rows[:, :2]]) + np.log(rows[:, 4])
        out[c] = _mixture_median(mu, rows[:, 2], rows[:, 3], hours, table, floor)
    return out.reshape(N_EDUCATION, N_BANDS)


def _mixture_median(mu, weight, p, hours, table: EarningsTable, floor: float) -> float:
    """Median of h x max(W, floor) over the groups (W split log-normal around exp(mu); h = 1 for
    full-timers, uniform on the hours grid for part-timers), by bisection on log pay."""

    def cdf(log_x: float) -> float:
        full = _floored_cdf(log_x, mu, table, floor)
        part = _floored_cdf(log_x - np.log(hours)[:, None], mu[None, :], table, floor).mean(axis=0)
        return float(np.sum(weight * ((1 - p) * full + p * part)) / np.sum(weight))

    low, high = floor + math.log(0.05), floor + math.log(50.0)
    for _ in range(60):
        middle = 0.5 * (low + high)
        low, high = (middle, high) if cdf(middle) < 0.5 else (low, middle)
    return 0.5 * (low + high)


def _floored_cdf(log_y, mu, table: EarningsTable, floor: float):
    """P(max(W, floor) <= y) for a split log-normal W with log median mu."""
    z = log_y - mu
    cdf = ndtr(np.where(z < 0, z / table.sigma_below, z / table.sigma_above))
    return np.where(log_y < floor, 0.0, cdf)


# --- the Numba draw --------------------------------------------------------------------------
@njit(cache=True)
def age_band(age_years: float) -> int:
    """Part-time age band: 0 for 15-24, 1 for 25-54, 2 for 55 or over."""
    if age_years < 25.0:
        return 0
    return 1 if age_years < 55.0 else 2


@njit(cache=True)
def years_since_school(education: int, age_years: float, table: EarningsTable) -> float:
    """Years since leaving school (0 for those younger than the usual leaving age)."""
    return max(age_years - table.leaving_age[education], 0.0)


@njit(cache=True)
def log_fte_median(education: int, experience: float, table: EarningsTable) -> float:
    """Log FTE median of men at the table's period: linear in experience between the knots, the
    first slope extended down to 0 years, flat after the last knot."""
    k, v = table.knots, table.log_level[education]
    if experience >= k[2]:
        return v[2]
    if experience >= k[1]:
        return v[1] + (v[2] - v[1]) * (experience - k[1]) / (k[2] - k[1])
    return v[0] + (v[1] - v[0]) * (experience - k[0]) / (k[1] - k[0])


@njit(cache=True)
def career_growth_rate(education: int, experience: float, table: EarningsTable) -> float:
    """Monthly log growth of pay along the profile at this experience (0 after the last knot):
    the pay of a job held grows by exp(rate) a month, on top of the SMIC's path."""
    k, v = table.knots, table.log_level[education]
    if experience >= k[2]:
        return 0.0
    if experience >= k[1]:
        return (v[2] - v[1]) / (12.0 * (k[2] - k[1]))
    return (v[1] - v[0]) / (12.0 * (k[1] - k[0]))


@njit(cache=True)
def job_hours_share(
    u_part_time: float, education: int, age_years: float, sex: int, table: EarningsTable
) -> float:
    """Hours as a share of full time: part time when u < p, then hours uniform on the range (the
    same uniform, rescaled, so one draw decides both)."""
    p = table.part_time[sex, age_band(age_years), education]
    if u_part_time >= p:
        return 1.0
    return table.hours_min + (table.hours_max - table.hours_min) * (u_part_time / p)


@njit(cache=True)
def draw_job_earnings(
    u_level: float,
    u_part_time: float,
    education: int,
    age_years: float,
    sex: int,
    startup: bool,
    table: EarningsTable,
) -> float:
    """Monthly net pay of a job taken now: hours x max(FTE pay, net SMIC). Pure: the same
    uniforms give the same pay. Inputs are assumed valid (`draw_earnings` checks them)."""
    z = normal_quantile(u_level)
    spread = table.sigma_below if z < 0.0 else table.sigma_above
    log_fte = log_fte_median(education, years_since_school(education, age_years, table), table) + z * spread
    fte = math.exp(log_fte) * table.level_index
    if sex == 1:
        fte *= table.female_factor
    if startup:
        fte *= table.startup_factor
    hours = job_hours_share(u_part_time, education, age_years, sex, table)
    return hours * max(fte, table.net_smic)


@njit(cache=True)
def _draw_all(u_level, u_part_time, education, age_years, sex, startup, table, out):
    for i in range(out.size):
        out[i] = draw_job_earnings(
            u_level[i], u_part_time[i], education[i], age_years[i], sex[i], startup[i], table
        )


@njit(cache=True)
def _hours_all(u_part_time, education, age_years, sex, table, out):
    for i in range(out.size):
        out[i] = job_hours_share(u_part_time[i], education[i], age_years[i], sex[i], table)


@njit(cache=True)
def _growth_all(education, age_years, table, out):
    for i in range(out.size):
        years = years_since_school(education[i], age_years[i], table)
        out[i] = career_growth_rate(education[i], years, table)


# --- NumPy wrappers --------------------------------------------------------------------------
def draw_earnings(
    u_level: np.ndarray,
    u_part_time: np.ndarray,
    education: np.ndarray,
    age_years: np.ndarray,
    sex: np.ndarray,
    startup: np.ndarray,
    table: EarningsTable,
) -> np.ndarray:
    """Monthly net pay of jobs taken now, one per entry (float64); bad input raises ValueError."""
    u1, u2, edu, age, sx, st = _checked(u_level, u_part_time, education, age_years, sex, startup)
    out = np.empty(u1.size, dtype=np.float64)
    _draw_all(u1, u2, edu, age, sx, st, table, out)
    return out


def hours_shares(
    u_part_time: np.ndarray,
    education: np.ndarray,
    age_years: np.ndarray,
    sex: np.ndarray,
    table: EarningsTable,
) -> np.ndarray:
    """Hours of each job as a share of full time (1 for full-timers), from the same uniforms."""
    _, u2, edu, age, sx, _ = _checked(u_part_time, u_part_time, education, age_years, sex, np.zeros(1, bool))
    out = np.empty(u2.size, dtype=np.float64)
    _hours_all(u2, edu, age, sx, table, out)
    return out


def monthly_growth_factors(education: np.ndarray, age_years: np.ndarray, table: EarningsTable) -> np.ndarray:
    """Factor by which the pay of each job held grows this month along the experience profile
    (multiply also by the SMIC's growth of the month: see docs/EARNINGS.md)."""
    edu = whole_array(education, "education", 0, N_EDUCATION - 1)
    age = finite_array(age_years, "age_years", 0.0, 130.0)
    if edu.size != age.size:
        raise InputError(f"age_years: expected {edu.size} values (one per job), got {age.size}")
    out = np.empty(edu.size, dtype=np.float64)
    _growth_all(edu, age, table, out)
    return np.exp(out)


def _checked(u_level, u_part_time, education, age_years, sex, startup) -> tuple[np.ndarray, ...]:
    """Validated, same-length, Numba-typed copies of the inputs."""
    arrays = (
        finite_array(u_level, "u_level", 0.0, 1.0),
        finite_array(u_part_time, "u_part_time", 0.0, 1.0),
        whole_array(education, "education", 0, N_EDUCATION - 1),
        finite_array(age_years, "age_years", 0.0, 130.0),
        whole_array(sex, "sex", 0, 1),
        np.atleast_1d(np.asarray(startup)).astype(np.bool_),
    )
    n = arrays[0].size
    names = ("u_part_time", "education", "age_years", "sex", "startup")
    for name, array in zip(names, arrays[1:], strict=True):
        if array.size not in (n, 1) or (name == "startup" and array.ndim != 1):
            raise InputError(f"{name}: expected {n} values (one per job) or one, got {array.size}")
    return tuple(np.ascontiguousarray(np.broadcast_to(a, (n,))) for a in arrays)
