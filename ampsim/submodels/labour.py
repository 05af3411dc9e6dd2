"""The labour market: separations, and a matching function per work zone with commuting decay.

Established employers are not agents: each zone has a number of incumbent jobs, and its vacancies
are the jobs not filled, plus the open positions of the startups located there. Every month:

1. employed residents lose their job (to unemployment or inactivity) at rates that depend on age
   and diploma;
2. job seekers of home zone h offer search effort e_i (diploma, a completed training course,
   long-term unemployment, the zone's calibrated multiplier m_h), shared among work zones w in
   proportion to F_hw = exp(-d_hw / lambda) (shares summing to one);
3. zone w makes M_w = min(V_w, A U*_w^alpha V_w^(1 - alpha)) hires, U*_w = sum_h m_h F_hw E_h
   (Petrongolo & Pissarides 2001), F here being the shares;
4. a seeker of zone h is hired with probability 1 - exp(-e_i phi_h), phi_h = m_h sum_w M_w F_hw /
   U*_w, into a work zone drawn in proportion to M_w F_hw / U*_w, and into a startup there with
   probability proportional to the startups' open positions (weighted by diploma), else into an
   incumbent job. A zone never hires more people than it has vacancies.

The matching efficiency A and the zone multipliers m_h are calibrated during the spin-up before
the first simulated month, so that each zone's unemployment rate matches its census rate; they
are then frozen, and policies move unemployment only through the mechanisms above.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit, prange

from ampsim.core.chunks import chunk_bounds, chunks_for
from ampsim.core.parameters import ASSUMPTION, ParameterGroup, parameter
from ampsim.core.rng import uniform
from ampsim.core.submodel import Submodel
from ampsim.world.residents import INCUMBENT, NO_EMPLOYER, NO_ZONE, Status, change_status
from ampsim.world.view import ModelView

if TYPE_CHECKING:
    from ampsim.submodels.startups import OpenPositions


class LabourParameters(ParameterGroup):
    """Separations, matching and commuting in the labour market."""

    matching_elasticity: float = parameter(
        0.6,
        unit="1",
        gt=0,
        lt=1,
        source="elasticity of hires to unemployment, 0.46-0.72, central 0.54-0.63 (Petrongolo & "
        "Pissarides 2001; Brügemann 2008 reconciling Shimer 2005 and Mortensen & Nagypál 2007)",
        description="alpha in M = A U^alpha V^(1-alpha)",
    )
    matching_efficiency: float = parameter(
        0.08,
        unit="hires per month per unit U^alpha V^(1-alpha)",
        gt=0,
        source="starting value; calibrated during the spin-up to metro unemployment 12.1 % "
        "(INSEE census 2022)",
        description="A in the matching function",
    )
    separation_rate: float = parameter(
        0.0035,
        unit="1/month",
        ge=0,
        le=1,
        source="E to U 3.5 %/year, continental Europe, EU-LFS 1998-2008 (IZA J. Eur. Labor Stud. "
        "3:17, table 2), 0.29 %/month, raised to cover separations from short contracts; "
        "modelling assumption",
        description="monthly probability that an employed 25-54 year-old with the baccalauréat "
        "becomes unemployed",
    )
    exit_to_inactivity_rate: float = parameter(
        0.001,
        unit="1/month",
        ge=0,
        le=1,
        source="E to NA 3.6 %/year (IZA table 2) less retirements, modelled separately; modelling assumption",
        description="monthly probability that an employed person leaves the labour force",
    )
    separation_risk_by_age: tuple[float, float, float] = parameter(
        (2.5, 1.0, 0.9),
        unit="relative risk",
        source=ASSUMPTION,
        description="separation risk at 15-24, 25-54 and 55-64",
    )
    separation_risk_by_education: tuple[float, float, float, float] = parameter(
        (1.6, 1.15, 1.0, 0.65),
        unit="relative risk",
        source="same gradient as unemployment by diploma (INSEE 2023); modelling assumption",
        description="separation risk by diploma level 0-3",
    )
    search_efficiency_by_age: tuple[float, float, float] = parameter(
        (2.0, 1.0, 0.7),
        unit="relative effort",
        source="young job seekers have short spells: with 1,900 school leavers a month entering the "
        "labour market, youth unemployment (23.8 %, census 2022) is stationary only if they find "
        "jobs about twice as fast; modelling assumption",
        description="job-search efficiency at 15-24, 25-54 and 55-64",
    )
    search_efficiency_by_education: tuple[float, float, float, float] = parameter(
        (0.7, 0.9, 1.0, 1.3),
        unit="relative effort",
        source=ASSUMPTION,
        description="job-search efficiency by diploma level 0-3",
    )
    inactive_search_efficiency: float = parameter(
        0.1,
        unit="relative effort",
        ge=0,
        le=1,
        source="NA to E 8.8 %/year against U to E 32.2 %/year (IZA table 2), reduced because "
        "most inactive people do not want a job; modelling assumption",
        description="search efficiency of inactive 15-64 year-olds relative to job seekers",
    )
    trained_search_boost: float = parameter(
        1.3,
        unit="multiplier",
        ge=1,
        le=5,
        source="chosen so that training raises employment by several points after 16 months, "
        "the order of the Garantie jeunes effect (+7.1 points, DARES evaluation); modelling assumption",
        description="search efficiency of a job seeker who completed a course, until the next job",
    )
    long_term_unemployed_efficiency: float = parameter(
        0.7,
        unit="multiplier",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="search efficiency after 12 months of unemployment (duration dependence)",
    )
    commuting_decay_km: float = parameter(
        7.0,
        unit="km",
        gt=0,
        source="calibrated: median home-work distance about 7 km (6.9 km in PACA in 2017, INSEE) "
        "and about half the workers leave their zone (47 % leave their commune in PACA, INSEE 2013)",
        description="length lambda of the commuting weight exp(-d/lambda)",
    )
    job_attraction_exponent: float = parameter(
        1.15,
        unit="1",
        ge=0,
        le=3,
        source="jobs concentrate in large places more than residents; modelling assumption, "
        "no jobs-by-commune data in the project",
        description="initial incumbent jobs of a zone in proportion to population^exponent",
    )
    vacancy_rate: float = parameter(
        0.025,
        unit="1",
        ge=0.001,
        le=0.5,
        source="job vacancy rates of 2-3 % in France; modelling assumption",
        description="share of incumbent jobs vacant at the start",
    )
    startup_preference_by_education: tuple[float, float, float, float] = parameter(
        (0.3, 0.6, 1.0, 2.0),
        unit="relative weight",
        source=ASSUMPTION,
        description="weight of a hire's diploma level 0-3 when a startup competes for them",
    )
    calibration_horizon_months: float = parameter(
        6.0,
        unit="months",
        gt=0,
        source=ASSUMPTION,
        description="during the spin-up, hires are steered to close the gap to the census "
        "unemployment of each zone within about this many months",
    )


class LabourMarket(Submodel):
    """Incumbent jobs per zone, the calibrated multipliers, and the monthly matching."""

    def __init__(self, params: LabourParameters):
        super().__init__(params)
        self.age_risk = np.array(params.separation_risk_by_age, dtype=float)
        self.education_risk = np.array(params.separation_risk_by_education, dtype=float)
        self.search_by_education = np.array(params.search_efficiency_by_education, dtype=float)
        self.search_by_age = np.array(params.search_efficiency_by_age, dtype=float)
        self.startup_preference = np.array(params.startup_preference_by_education, dtype=float)
        self.matching_efficiency = params.matching_efficiency
        self.job_loss_rate = 0.0  # monthly, set at the end of the spin-up
        self.separations = 0
        self.startup_hires = 0
        self.startup_priority_hires = 0
        self._averaged: list[tuple[float, np.ndarray, np.ndarray]] = []  # (A, multipliers, jobs)
        self._smoothed: dict[str, np.ndarray] = {}
        self._finders = np.empty(0, dtype=np.int32)  # slots of the month's job finders

    def setup(self, model: ModelView) -> None:
        """Zone tables from the territory, then every employed resident gets a job."""
        territory = model.territory
        n = territory.n_zones
        self.commute_weight = np.exp(-territory.commute_km / self.params.commuting_decay_km)
        # a seeker's effort is shared among work zones: each home zone's weights sum to 1
        self.search_share = self.commute_weight / self.commute_weight.sum(axis=1, keepdims=True)
        self.zone_multiplier = np.ones(n)
        self.target_unemployment = territory.zones["unemployment_rate_pct"].to_numpy() / 100
        self.jobs = np.zeros(n)  # incumbent jobs per work zone (simulated units, fractional)
        self.graduate_jobs = np.zeros(n)  # jobs of startups that became established this month
        self.hires_by_zone = np.zeros(n, dtype=np.int64)
        self.vacancies_by_zone = np.zeros(n, dtype=np.int64)
        self.seekers_by_zone = np.zeros(n)
        self.unemployed_by_zone = np.zeros(n)
        self.active_by_zone = np.zeros(n)
        self.hires_by_home = np.zeros(n)
        self.filled_by_zone = np.zeros(n)
        self.assign_initial_jobs(model)

    def job_access(self) -> np.ndarray:
        """Jobs within reach of each home zone, sum_w F_zw J_w (in NumPy's loops: BLAS would leave
        threads spinning)."""
        return np.einsum("zw,w->z", self.commute_weight, self.jobs.astype(float))

    def absorb_graduates(self, graduates_by_zone: np.ndarray) -> None:
        """Startups that became established firms this month: their jobs stay, as incumbent jobs."""
        if graduates_by_zone.any():
            self.jobs += graduates_by_zone
        self.graduate_jobs = graduates_by_zone.astype(float)

    # --- initial state ------------------------------------------------------------------
    def assign_initial_jobs(self, model: ModelView) -> None:
        """Give every employed resident a work zone (gravity on jobs and distance) and size the
        incumbent jobs of each zone so that a share `vacancy_rate` of them is vacant."""
        r = model.residents
        population = model.territory.population.astype(float)
        attraction = population**self.params.job_attraction_exponent
        destination = attraction[None, :] * self.commute_weight
        cdf = np.cumsum(destination / destination.sum(axis=1, keepdims=True), axis=1)
        employed = np.flatnonzero(r.status == Status.EMPLOYED)
        draws = model.seed_generator("labour.initial_jobs").random(employed.size)
        home = r.zone[employed]
        work = np.empty(employed.size, dtype=np.int64)
        for h in range(population.size):  # inverse CDF per home zone, vectorised over residents
            here = home == h
            work[here] = np.searchsorted(cdf[h], draws[here], side="right")
        r.work_zone[employed] = np.minimum(work, cdf.shape[1] - 1).astype(np.uint8)
        r.employer[employed] = INCUMBENT
        filled = np.bincount(r.work_zone[employed], minlength=population.size)
        self.jobs = filled / (1 - self.params.vacancy_rate)

    # --- monthly step -------------------------------------------------------------------
    def step(self, model: ModelView, search_boost: np.ndarray, openings: OpenPositions) -> None:
        """Separations, then the month's matching; `search_boost` is the job-search multiplier of
        each training mark, `openings` the startups' open positions by zone."""
        r = model.residents
        p = self.params
        keys = model.keys("labour")
        n = self.jobs.size
        self.separations = separation_kernel(
            keys,
            r.age_months,
            r.education,
            r.status,
            r.months_in_status,
            r.income,
            r.work_zone,
            r.employer,
            model.income_factor,
            p.separation_rate,
            p.exit_to_inactivity_rate,
            self.age_risk,
            self.education_risk,
        )
        filled = np.zeros(n)
        seekers = np.zeros(n)
        unemployed = np.zeros(n)
        active = np.zeros(n)
        count_labour_kernel(
            r.zone,
            r.age_months,
            r.status,
            r.months_in_status,
            r.education,
            r.trained,
            r.work_zone,
            r.employer,
            self.search_by_age,
            self.search_by_education,
            p.inactive_search_efficiency,
            search_boost,
            p.long_term_unemployed_efficiency,
            chunks_for(r.n),
            filled,
            seekers,
            unemployed,
            active,
        )
        self.seekers_by_zone, self.unemployed_by_zone, self.active_by_zone = seekers, unemployed, active
        self.filled_by_zone = filled
        self.jobs *= 1 - self.job_loss_rate
        incumbent_open = np.maximum(np.floor(self.jobs).astype(np.int64) - filled.astype(np.int64), 0)
        startups = openings
        startup_open_by_zone = np.bincount(startups.zone, weights=startups.open, minlength=n).astype(np.int64)
        vacancies = incumbent_open + startup_open_by_zone
        self.vacancies_by_zone = vacancies
        finding_rate, destination_cdf = self._matching(seekers, vacancies)
        startup_hires = np.zeros(startups.ids.size, dtype=np.int64)
        startup_priority = np.zeros(startups.ids.size, dtype=np.int64)
        hires = np.zeros(n, dtype=np.int64)
        hires_by_home = np.zeros(n)
        offset = int(uniform(keys, 0, 99) * r.n)
        if self._finders.size != r.n:
            self._finders = np.empty(r.n, dtype=np.int32)  # reused every month
        hire_job_finders(
            keys,
            offset,
            r.zone,
            r.age_months,
            r.status,
            r.months_in_status,
            r.education,
            r.trained,
            r.income,
            r.work_zone,
            r.employer,
            model.income_factor,
            self.search_by_age,
            self.search_by_education,
            p.inactive_search_efficiency,
            search_boost,
            p.long_term_unemployed_efficiency,
            finding_rate,
            destination_cdf,
            incumbent_open.copy(),
            startup_open_by_zone.copy(),
            self.startup_preference,
            startups.zone_start,
            startups.ids,
            startups.open.copy(),
            model.priority_zone,
            hires,
            hires_by_home,
            startup_hires,
            startup_priority,
            self._finders,
        )
        self.hires_by_zone = hires
        self.hires_by_home = hires_by_home
        self.startup_hires = int(startup_hires.sum())
        self.startup_priority_hires = int(startup_priority.sum())

    def _matching(self, seekers: np.ndarray, vacancies: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hires per unit of search effort for each home zone, and the CDF of their work zones."""
        return matching_kernel(
            self.search_share,
            self.zone_multiplier,
            seekers,
            vacancies,
            self.matching_efficiency,
            self.params.matching_elasticity,
        )

    # --- calibration --------------------------------------------------------------------
    def calibrate(self, average: bool = False) -> None:
        """One spin-up adjustment, in the units of the flows. A zone's unemployment is stable when
        its hires equal its net inflow into unemployment (hires + change of the stock); the wanted
        hires add the gap to the census rate spread over the calibration horizon. A moves with the
        metro ratio of wanted to actual hires, each zone multiplier with its own ratio relative
        to the metro one; both by at most 20 % a month, and noisy small zones are damped.
        Incumbent jobs follow employment so that the vacancy rate stays at its target, and the
        rate at which established firms shed jobs matches the jobs that graduating startups add.
        With `average`, the month's values join the averages kept at the end of the spin-up."""
        previous = self._smoothed.get("unemployed")
        smoothed = self._smooth(
            hires=self.hires_by_home,
            unemployed=self.unemployed_by_zone,
            active=self.active_by_zone,
            filled=self.filled_by_zone,
            graduates=self.graduate_jobs,
        )
        hires, unemployed, active = smoothed["hires"], smoothed["unemployed"], smoothed["active"]
        change = unemployed - previous if previous is not None else np.zeros_like(unemployed)
        target = self.target_unemployment * active
        horizon = self.params.calibration_horizon_months
        wanted = np.maximum(hires + change + (unemployed - target) / horizon, 0.0)
        metro_ratio = float(np.clip(wanted.sum() / max(hires.sum(), 1e-9), 0.8, 1.25))
        ratio = np.divide(wanted, hires, out=np.full_like(wanted, metro_ratio), where=hires > 0)
        confidence = hires / (hires + 5.0)
        relative = np.exp(confidence * np.log(np.clip(ratio / metro_ratio, 0.8, 1.25)))
        self.matching_efficiency *= metro_ratio
        self.zone_multiplier = np.clip(self.zone_multiplier * relative, 0.2, 5.0)
        self.zone_multiplier /= np.average(self.zone_multiplier, weights=np.maximum(active, 1.0))
        # incumbent jobs drift towards the level at which a share `vacancy_rate` of them is vacant
        wanted_jobs = smoothed["filled"] / (1 - self.params.vacancy_rate)
        self.jobs += 0.2 * (wanted_jobs - self.jobs)
        # established firms shed jobs at the rate at which graduating startups add them, so that
        # the baseline's labour demand is stationary; a policy that adds startups adds jobs
        self.job_loss_rate = float(smoothed["graduates"].sum() / max(self.jobs.sum(), 1.0))
        if average:
            self._averaged.append((self.matching_efficiency, self.zone_multiplier.copy(), self.jobs.copy()))

    def freeze_calibration(self) -> None:
        """End of the spin-up: keep the averages of the calibrated values over the months marked
        for averaging (Polyak-Ruppert averaging: the controller's last values are noisy)."""
        if not self._averaged:
            return
        efficiency, multipliers, jobs = zip(*self._averaged, strict=True)
        self.matching_efficiency = float(np.exp(np.mean(np.log(efficiency))))
        self.zone_multiplier = np.exp(np.mean(np.log(np.array(multipliers)), axis=0))
        self.jobs = np.mean(np.array(jobs), axis=0)
        self._averaged.clear()

    def _smooth(self, **series: np.ndarray) -> dict[str, np.ndarray]:
        """Exponential moving averages (weight 1/3 on the newest month) of the named series."""
        for name, values in series.items():
            previous = self._smoothed.get(name)
            self._smoothed[name] = (
                values.astype(float) if previous is None else previous + (values - previous) / 3
            )
        return self._smoothed

    def unemployment_by_zone(self) -> np.ndarray:
        """Unemployment rate 15-64 by home zone, as counted at the last step."""
        return self.unemployed_by_zone / np.maximum(self.active_by_zone, 1.0)


@njit(cache=True)
def matching_kernel(search_share, multiplier, seekers, vacancies, efficiency, alpha):  # pragma: no cover
    """Work zone w makes M_w = min(V_w, A U*_w^alpha V_w^(1 - alpha)) hires, U*_w = sum_h m_h s_hw E_h.
    Returns phi_h = sum_w m_h s_hw M_w / U*_w, the hires per unit of effort of home zone h, and the
    CDF over work zones of a hire from h (in proportion to m_h s_hw M_w / U*_w)."""
    n_home, n_work = search_share.shape
    per_effort = np.zeros(n_work)  # M_w / U*_w
    for w in range(n_work):
        effective = 0.0
        for h in range(n_home):
            effective += multiplier[h] * search_share[h, w] * seekers[h]
        if effective > 0 and vacancies[w] > 0:
            hires = min(vacancies[w], efficiency * effective**alpha * float(vacancies[w]) ** (1 - alpha))
            per_effort[w] = hires / effective
    finding_rate = np.zeros(n_home)
    cdf = np.ones((n_home, n_work))
    for h in range(n_home):
        cumulative = 0.0
        for w in range(n_work):
            cumulative += multiplier[h] * search_share[h, w] * per_effort[w]
            cdf[h, w] = cumulative
        finding_rate[h] = cumulative
        if cumulative > 0:
            cdf[h] /= cumulative
        else:
            cdf[h] = 1.0
    return finding_rate, cdf


@njit(cache=True, parallel=True)
def separation_kernel(
    key,
    age_months,
    education,
    status,
    months_in_status,
    income,
    work_zone,
    employer,
    income_factor,
    separation_rate,
    exit_rate,
    age_risk,
    education_risk,
):  # pragma: no cover - compiled
    """Employed residents lose their job (in parallel: own state and draws only); returns the
    number of separations."""
    separations = 0
    for i in prange(status.size):
        if status[i] != Status.EMPLOYED:
            continue
        age = age_months[i] // 12
        band = 0 if age < 25 else (1 if age < 55 else 2)
        risk = age_risk[band] * education_risk[education[i]]
        u = uniform(key, i, 0)
        if u < separation_rate * risk:
            new = Status.UNEMPLOYED
        elif u < separation_rate * risk + exit_rate:
            new = Status.INACTIVE
        else:
            continue
        separations += 1
        change_status(i, new, status, months_in_status, income, income_factor)
        work_zone[i] = NO_ZONE
        employer[i] = NO_EMPLOYER
    return separations


@njit(cache=True, inline="always")
def search_effort(
    status,
    age,
    months,
    education,
    trained,
    by_age,
    by_education,
    inactive_efficiency,
    boost_by_mark,
    long_term_efficiency,
):  # pragma: no cover - compiled
    """Search effort of one resident (0 for those who do not look for a job); a completed
    course or programme multiplies it by the boost of its mark."""
    if age < 15 or age > 64:
        return 0.0
    age_factor = by_age[0] if age < 25 else (by_age[1] if age < 55 else by_age[2])
    if status == Status.UNEMPLOYED:
        effort = by_education[education] * age_factor * boost_by_mark[trained]
        if months >= 12:
            effort *= long_term_efficiency
        return effort
    if status == Status.INACTIVE:
        return inactive_efficiency * by_education[education] * age_factor
    return 0.0


@njit(cache=True, parallel=True)
def count_labour_kernel(
    zone,
    age_months,
    status,
    months_in_status,
    education,
    trained,
    work_zone,
    employer,
    by_age,
    by_education,
    inactive_efficiency,
    boost_by_mark,
    long_term_efficiency,
    n_chunks,
    filled,
    seekers,
    unemployed,
    active,
):  # pragma: no cover - compiled
    """Filled incumbent jobs by work zone; search effort, unemployed and actives (15-64) by home
    zone. Chunks in parallel, their sums added in chunk order (see `ampsim.core.chunks`)."""
    partial = np.zeros((n_chunks, 4, filled.size))  # filled, seekers, unemployed, active
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        for i in range(start, stop):
            s = status[i]
            age = age_months[i] // 12
            if s == Status.EMPLOYED:
                if employer[i] == INCUMBENT:
                    partial[c, 0, work_zone[i]] += 1
                if 15 <= age <= 64:
                    partial[c, 3, zone[i]] += 1
                continue
            if s == Status.UNEMPLOYED and 15 <= age <= 64:
                partial[c, 3, zone[i]] += 1
                partial[c, 2, zone[i]] += 1
            partial[c, 1, zone[i]] += search_effort(
                s,
                age,
                months_in_status[i],
                education[i],
                trained[i],
                by_age,
                by_education,
                inactive_efficiency,
                boost_by_mark,
                long_term_efficiency,
            )
    for c in range(n_chunks):
        for z in range(filled.size):
            filled[z] += partial[c, 0, z]
            seekers[z] += partial[c, 1, z]
            unemployed[z] += partial[c, 2, z]
            active[z] += partial[c, 3, z]


def hire_job_finders(
    key: np.uint64,
    offset: int,
    zone: np.ndarray,
    age_months: np.ndarray,
    status: np.ndarray,
    months_in_status: np.ndarray,
    education: np.ndarray,
    trained: np.ndarray,
    income: np.ndarray,
    work_zone: np.ndarray,
    employer: np.ndarray,
    income_factor: np.ndarray,
    by_age: np.ndarray,
    by_education: np.ndarray,
    inactive_efficiency: float,
    boost_by_mark: np.ndarray,
    long_term_efficiency: float,
    finding_rate: np.ndarray,
    destination_cdf: np.ndarray,
    incumbent_open: np.ndarray,
    startup_open_by_zone: np.ndarray,
    startup_preference: np.ndarray,
    startup_zone_start: np.ndarray,
    startup_ids: np.ndarray,
    startup_open: np.ndarray,
    priority_zone: np.ndarray,
    hires: np.ndarray,
    hires_by_home: np.ndarray,
    startup_hires: np.ndarray,
    startup_priority: np.ndarray,
    finders: np.ndarray | None = None,
) -> None:
    """The month's hires: who finds a job (a resident's own effort and draw, so in parallel), then
    their hiring one by one from a rotating offset, never beyond vacancies. `finders`, an int32
    array of one slot per resident, may be passed to avoid allocating it every month."""
    n_chunks = chunks_for(zone.size)
    if finders is None or finders.size != zone.size:
        finders = np.empty(zone.size, dtype=np.int32)
    found = np.zeros(n_chunks, dtype=np.int64)
    job_finders_kernel(
        key,
        zone,
        age_months,
        status,
        months_in_status,
        education,
        trained,
        by_age,
        by_education,
        inactive_efficiency,
        boost_by_mark,
        long_term_efficiency,
        finding_rate,
        finders,
        found,
    )
    hiring_kernel(
        key,
        offset,
        finders,
        found,
        zone,
        status,
        months_in_status,
        education,
        trained,
        income,
        work_zone,
        employer,
        income_factor,
        destination_cdf,
        incumbent_open,
        startup_open_by_zone,
        startup_preference,
        startup_zone_start,
        startup_ids,
        startup_open,
        priority_zone,
        hires,
        hires_by_home,
        startup_hires,
        startup_priority,
    )


@njit(cache=True, parallel=True)
def job_finders_kernel(
    key,
    zone,
    age_months,
    status,
    months_in_status,
    education,
    trained,
    by_age,
    by_education,
    inactive_efficiency,
    boost_by_mark,
    long_term_efficiency,
    finding_rate,
    finders,
    found,
):  # pragma: no cover - compiled
    """Residents whose search succeeds this month, P = 1 - exp(-effort x finding rate of the home
    zone): chunk c lists its finders in slot order in finders[start_c : start_c + found[c]]."""
    n_chunks = found.size
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        k = start
        for i in range(start, stop):
            s = status[i]
            if s != Status.UNEMPLOYED and s != Status.INACTIVE:
                continue
            h = zone[i]
            effort = search_effort(
                s,
                age_months[i] // 12,
                months_in_status[i],
                education[i],
                trained[i],
                by_age,
                by_education,
                inactive_efficiency,
                boost_by_mark,
                long_term_efficiency,
            )
            if effort <= 0.0 or finding_rate[h] <= 0.0:
                continue
            if uniform(key, i, 1) >= 1.0 - np.exp(-effort * finding_rate[h]):
                continue
            finders[k] = i
            k += 1
        found[c] = k - start


@njit(cache=True)
def hiring_kernel(
    key,
    offset,
    finders,
    found,
    zone,
    status,
    months_in_status,
    education,
    trained,
    income,
    work_zone,
    employer,
    income_factor,
    destination_cdf,
    incumbent_open,
    startup_open_by_zone,
    startup_preference,
    startup_zone_start,
    startup_ids,
    startup_open,
    priority_zone,
    hires,
    hires_by_home,
    startup_hires,
    startup_priority,
):  # pragma: no cover - compiled
    """Hire the job finders in the order of a visit of all slots from `offset`, wrapping round
    (so that no slot is favoured); never beyond vacancies. Serial: vacancies are shared."""
    n_chunks = found.size
    for lap in range(2):  # slots offset..n-1, then 0..offset-1
        for c in range(n_chunks):
            start, _ = chunk_bounds(c, n_chunks, zone.size)
            for k in range(start, start + found[c]):
                i = finders[k]
                if (i < offset) != (lap == 1):
                    continue
                _hire(
                    key,
                    i,
                    zone,
                    status,
                    months_in_status,
                    education,
                    trained,
                    income,
                    work_zone,
                    employer,
                    income_factor,
                    destination_cdf,
                    incumbent_open,
                    startup_open_by_zone,
                    startup_preference,
                    startup_zone_start,
                    startup_ids,
                    startup_open,
                    priority_zone,
                    hires,
                    hires_by_home,
                    startup_hires,
                    startup_priority,
                )


@njit(cache=True, inline="always")
def _hire(
    key,
    i,
    zone,
    status,
    months_in_status,
    education,
    trained,
    income,
    work_zone,
    employer,
    income_factor,
    destination_cdf,
    incumbent_open,
    startup_open_by_zone,
    startup_preference,
    startup_zone_start,
    startup_ids,
    startup_open,
    priority_zone,
    hires,
    hires_by_home,
    startup_hires,
    startup_priority,
):  # pragma: no cover - compiled
    """Job finder i takes a vacancy in a work zone drawn from their home zone's destinations:
    a startup's open position or an incumbent job; nothing if the zone has none left."""
    h = zone[i]
    w = np.searchsorted(destination_cdf[h], uniform(key, i, 2), side="right")
    w = min(w, destination_cdf.shape[1] - 1)
    if incumbent_open[w] + startup_open_by_zone[w] <= 0:
        return
    startup_weight = startup_open_by_zone[w] * startup_preference[education[i]]
    chosen = -1
    if startup_weight > 0 and uniform(key, i, 3) * (startup_weight + incumbent_open[w]) < startup_weight:
        # a startup of zone w, in proportion to its open positions
        first, last = startup_zone_start[w], startup_zone_start[w + 1]
        target = uniform(key, i, 4) * startup_open_by_zone[w]
        cumulative = 0.0
        for k in range(first, last):
            cumulative += startup_open[k]
            if startup_open[k] > 0 and target < cumulative:
                chosen = k
                break
    if chosen >= 0:
        startup_open[chosen] -= 1
        startup_open_by_zone[w] -= 1
        startup_hires[chosen] += 1
        if priority_zone[h]:
            startup_priority[chosen] += 1
        employer[i] = startup_ids[chosen]
    elif incumbent_open[w] > 0:
        incumbent_open[w] -= 1
        employer[i] = INCUMBENT
    else:
        return
    hires[w] += 1
    hires_by_home[h] += 1
    change_status(i, Status.EMPLOYED, status, months_in_status, income, income_factor)
    work_zone[i] = w
    trained[i] = 0


def place_local_hires(model: ModelView, home_zones: np.ndarray, openings: np.ndarray, stream: str) -> int:
    """Directly place job seekers living in `home_zones` into `openings` incumbent jobs per work
    zone (a local-hiring clause or a placement service); returns the number placed."""
    r = model.residents
    home = np.zeros(model.territory.n_zones, dtype=np.bool_)
    home[home_zones] = True
    remaining = openings.astype(np.int64).copy()
    key = model.keys(stream)
    offset = int(uniform(key, 0, 99) * r.n)
    return place_kernel(
        key,
        offset,
        r.zone,
        r.age_months,
        r.status,
        r.months_in_status,
        r.income,
        r.work_zone,
        r.employer,
        r.trained,
        model.income_factor,
        home,
        remaining,
    )


@njit(cache=True)
def place_kernel(
    key,
    offset,
    zone,
    age_months,
    status,
    months_in_status,
    income,
    work_zone,
    employer,
    trained,
    income_factor,
    home,
    remaining,
):  # pragma: no cover - compiled
    """Employ unemployed 15-64 year-olds of the home zones in the work zones with openings."""
    n = zone.size
    left = remaining.sum()
    placed = 0
    w = 0
    for step in range(n):
        if left <= 0:
            break
        i = (offset + step) % n
        if status[i] != Status.UNEMPLOYED or not home[zone[i]]:
            continue
        age = age_months[i] // 12
        if age < 15 or age > 64:
            continue
        while remaining[w] <= 0:
            w = (w + 1) % remaining.size
        remaining[w] -= 1
        left -= 1
        placed += 1
        change_status(i, Status.EMPLOYED, status, months_in_status, income, income_factor)
        work_zone[i] = w
        employer[i] = INCUMBENT
        trained[i] = 0
    return placed
