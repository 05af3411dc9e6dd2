"""The labour market as a submodel: incumbent jobs per zone, the month's separations, residents'
jobs outside the metropolis, counts and matching, hires, and the calibration of the matching
during the spin-up (see the package)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit, prange

from ampsim.core.chunks import chunks_for
from ampsim.core.rng import uniform, uniforms
from ampsim.core.submodel import Submodel
from ampsim.submodels.labour.hiring import HireCounts, Openings, hire_job_finders, outside_hiring_kernel
from ampsim.submodels.labour.matching import SearchTables, count_labour_kernel, matching_kernel
from ampsim.submodels.labour.parameters import LabourParameters
from ampsim.world.boundary import distance_to_boundary_km
from ampsim.world.residents import INCUMBENT, NO_EMPLOYER, NO_ZONE, OUTSIDE, Status, by_origin, change_status
from ampsim.world.view import ModelView

if TYPE_CHECKING:
    from ampsim.submodels.startups import OpenPositions


OUT_COMMUTER_HORIZON_MONTHS = 24.0  # within which the spin-up closes the out-commuters' gap to their share

VACANCY_GAIN = 0.2  # share of the gap to the target vacancy rate closed in a spin-up month


class SeparationRates(NamedTuple):
    """Monthly job-loss probabilities (read-only; see `separation_kernel`)."""

    separation_rate: float  # to unemployment, at relative risk 1
    exit_rate: float  # to inactivity
    age_risk: np.ndarray  # relative risk at 15-24, 25-54 and 55-64
    education_risk: np.ndarray  # relative risk by diploma level 0-3


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
        self._smoothed: dict[str, np.ndarray] = {}
        self._graduates_total = self._jobs_total = 0.0  # over the spin-up, for the job-loss rate
        # the vacancy rate the tracking of incumbent jobs aims at, so that the rate measured at the
        # month's count (after the posts freed by departures, deaths and retirements) is the target
        self._tracked_vacancy_rate = params.vacancy_rate
        self._finders = np.empty(0, dtype=np.int32)  # slots of the month's job finders
        self.outside_effort_per_job = 0.01  # in-commuters' search effort per job; calibrated
        # residents' outside finding rate per unit of their metro finding rate, at home on the
        # boundary; calibrated
        self.outside_find_ratio = 0.1 if params.out_commuting_share > 0 else 0.0
        self._outside_correction = 1.0  # on the ratio during the spin-up only (see its calibration)
        self._ratio_used = 0.0  # the ratio of the month's outside finds
        # slow means of the metro's hires of residents and of the outside finds expected per unit
        # of the ratio (negative: none yet), for its calibration
        self._metro_hires_mean = self._outside_per_ratio_mean = -1.0
        self.residential_jobs_per_resident = 0.0  # set at the start (residential_job_share)
        self.residents_by_zone: np.ndarray | None = None  # present residents last month, from the start

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
        self.active_by_zone = np.zeros(n)  # active residents by home zone, after the month's hires
        self.graduate_jobs = np.zeros(n)  # jobs of startups that became established this month
        self.hires_by_zone = np.zeros(n, dtype=np.int64)
        self.vacancies_by_zone = np.zeros(n)  # expected, fractional (simulated units)
        self.posted_by_zone = np.zeros(n, dtype=np.int64)
        self.employed_before = 0.0
        self.seekers_by_zone = np.zeros(n)
        self.unemployed_by_zone = np.zeros(n)
        self.active_by_zone = np.zeros(n)
        self.hires_by_home = np.zeros(n)
        self.filled_by_zone = np.zeros(n)
        self.outside_hires = np.zeros(n, dtype=np.int64)  # the month's hires of in-commuters
        # residents' weight of working outside, by home cell: exp(-distance to the boundary / L)
        self.boundary_weight = np.exp(
            -distance_to_boundary_km(territory.grid) / self.params.out_commuting_decay_km
        )
        self.cell_zone = territory.grid.cell_zone.astype(np.int64)
        self.finding_rate = np.zeros(n)  # metro hires per unit of search effort by home zone, last month
        self.outside_finds = np.zeros(n, dtype=np.int64)  # the month's outside job finds, by home
        self.expected_outside_finds = 0.0
        self.out_commuters = 0  # residents working outside after the month's hires (simulated)
        self.assign_initial_jobs(model)

    def arrival_work_cdf(self) -> np.ndarray:
        """For an arrival who comes with a job, the CDF over work zones from each home zone:
        last month's vacancies within reach, `F_zw V_w` (rows of zeros where none is in reach)."""
        weight = self.commute_weight * self.vacancies_by_zone[None, :]
        cdf = np.cumsum(weight, axis=1)
        total = cdf[:, -1:]
        return np.divide(cdf, total, out=np.zeros_like(cdf), where=total > 0)

    def job_access(self) -> np.ndarray:
        """Jobs within reach of each home zone, sum_w F_zw J_w (in NumPy's loops: BLAS would leave
        threads spinning)."""
        return np.einsum("zw,w->z", self.commute_weight, self.jobs.astype(float))

    def add_jobs(self, zones: np.ndarray, jobs: np.ndarray | float) -> None:
        """New incumbent jobs in the zones (simulated units): a programme's jobs, delivered."""
        self.jobs[zones] += jobs

    def relocate_jobs(self, model: ModelView, zones: np.ndarray, jobs: np.ndarray, purpose: str) -> int:
        """Move `jobs[k]` incumbent jobs, with the residents who hold them, from the rest of the
        metropolis into `zones[k]`: firms that relocate into a programme's zones bring their
        staff, so the jobs neither open vacancies nor employ anyone new. The workers are those
        with the smallest draws of `purpose` this month (common random numbers); returns how
        many moved (fewer only when too few incumbent jobs lie outside the zones)."""
        counts = np.asarray(jobs, dtype=np.int64)
        wanted = int(counts.sum())
        if wanted <= 0:
            return 0
        r = model.residents
        outside = ~np.isin(r.work_zone, zones)
        candidates = np.flatnonzero((r.status == Status.EMPLOYED) & (r.employer == INCUMBENT) & outside)
        take = min(wanted, candidates.size)
        draws = uniforms(model.keys(purpose), candidates, 0)
        chosen = candidates[np.argpartition(draws, take - 1)[:take]] if take < candidates.size else candidates
        chosen = np.sort(chosen)
        destination = np.repeat(np.asarray(zones), counts)[:take]
        n = self.jobs.size
        self.jobs -= np.bincount(r.work_zone[chosen], minlength=n)
        self.jobs += np.bincount(destination, minlength=n)
        r.work_zone[chosen] = destination.astype(r.work_zone.dtype)
        return take

    def absorb_graduates(self, graduates_by_zone: np.ndarray) -> None:
        """Startups that became established firms this month: their jobs stay, as incumbent jobs
        (simulated units, fractional)."""
        self.jobs += graduates_by_zone
        self.graduate_jobs = graduates_by_zone.astype(float)

    # --- initial state ------------------------------------------------------------------
    def assign_initial_jobs(self, model: ModelView) -> None:
        """Give every employed resident a work zone (gravity on jobs and distance), then a share
        `out_commuting_share` of them a job outside the metropolis instead (`_initial_out_commuters`),
        and size the incumbent jobs of each zone so that a share `vacancy_rate` of them is vacant."""
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
        outside = self._initial_out_commuters(model, employed)
        r.work_zone[employed[outside]] = NO_ZONE
        r.employer[employed[outside]] = OUTSIDE
        self.out_commuters = int(outside.sum())
        filled = np.bincount(r.work_zone[employed[~outside]], minlength=population.size)
        # in-commuters hold a share of the jobs besides the residents' and the vacancies
        share, vacancy_rate = self.params.in_commuter_share, self.params.vacancy_rate
        self.jobs = filled / (1 - vacancy_rate - share)
        self.in_commuters = share * self.jobs

    def _initial_out_commuters(self, model: ModelView, employed: np.ndarray) -> np.ndarray:
        """Which of the employed work outside: resident i with probability min(1, c w_i), w_i the
        boundary weight of their home cell and c such that the expected share is
        `out_commuting_share` (a draw per slot on its own stream, the same in every scenario)."""
        weight = self.boundary_weight[model.residents.home_cell[employed]]
        if employed.size == 0 or weight.sum() <= 0:
            return np.zeros(employed.size, dtype=bool)
        probability = np.minimum(self.params.out_commuting_share * weight.size / weight.sum() * weight, 1.0)
        return uniforms(model.keys("labour.out_commuters.initial", month=0), employed, 0) < probability

    # --- monthly step -------------------------------------------------------------------
    def step(
        self,
        model: ModelView,
        search_boost: np.ndarray,
        openings: OpenPositions,
        access_gain: np.ndarray | None = None,
    ) -> None:
        """Separations, residents' finds of jobs outside the metropolis, then the month's matching;
        `search_boost` is the job-search multiplier of each training mark, `openings` the startups'
        open positions by zone, `access_gain` the change of the commute's value by home-work pair
        since the reference (transit, car restrictions; None: none)."""
        if model.month >= 1:
            self._follow_residents(model)
        r = model.residents.kernel_view()
        keys = model.keys("labour")
        n = self.jobs.size
        self.separations = separation_kernel(keys, r, self._separation_rates())
        search = self._search_tables(search_boost)
        finds = self._hire_out_commuters(model, search)  # residents' outside jobs, before the metro's
        filled, seekers, unemployed, active = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
        outside = np.zeros(n)
        count_labour_kernel(r, search, chunks_for(r.zone.size), filled, seekers, unemployed, active, outside)
        self.seekers_by_zone, self.unemployed_by_zone, self.active_by_zone = seekers, unemployed, active
        self.filled_by_zone = filled
        self.out_commuters = int(outside.sum())
        self.jobs *= 1 - self.job_loss_rate
        self.in_commuters *= 1 - self._in_commuter_leaving_rate()
        vacant_jobs = np.maximum(self.jobs - filled - self.in_commuters, 0.0)  # fractional
        incumbent_open = _round_stochastically(vacant_jobs, model.keys("labour.vacancies"))
        startups = openings
        startup_open_by_zone = np.bincount(startups.zone, weights=startups.open, minlength=n).astype(np.int64)
        vacancies = vacant_jobs + startup_open_by_zone
        self.vacancies_by_zone = vacancies
        self.posted_by_zone = incumbent_open + startup_open_by_zone  # whole vacancies on offer
        # employed before the month's separations and hires (the count follows the outside finds)
        self.employed_before = float(active.sum() - unemployed.sum()) + self.separations - finds
        outside_effort = self.outside_effort_per_job * self.jobs
        access = self.access_multiplier(access_gain)
        if access is not None:
            seekers = seekers * access  # the effort that reaches the work zones
        finding_rate, destination_cdf, per_effort = self._matching(seekers, vacancies, outside_effort)
        self.finding_rate = finding_rate
        finds_per_effort = finding_rate if access is None else finding_rate * access
        self._hire_in_commuters(per_effort * outside_effort, incumbent_open, model)
        vacant = Openings(
            destination_cdf=destination_cdf,
            incumbent_open=incumbent_open.copy(),
            startup_open_by_zone=startup_open_by_zone.copy(),
            startup_preference=self.startup_preference,
            startup_zone_start=startups.zone_start,
            startup_ids=startups.ids,
            startup_open=startups.open.copy(),
            cell_priority=model.territory.grid.cell_priority,
        )
        counts = HireCounts(
            by_work_zone=np.zeros(n, dtype=np.int64),
            by_home_zone=np.zeros(n),
            by_startup=np.zeros(startups.ids.size, dtype=np.int64),
            priority_by_startup=np.zeros(startups.ids.size, dtype=np.int64),
            unemployed_by_home_zone=np.zeros(n),
            inactive_by_home_zone=np.zeros(n),
        )
        offset = int(uniform(keys, 0, 99) * r.zone.size)
        if self._finders.size != r.zone.size:
            self._finders = np.empty(r.zone.size, dtype=np.int32)  # reused every month
        hire_job_finders(keys, offset, r, search, finds_per_effort, vacant, counts, self._finders)
        self.hires_by_zone = counts.by_work_zone
        self.hires_by_home = counts.by_home_zone
        self.startup_hires = int(counts.by_startup.sum())
        self.startup_priority_hires = int(counts.priority_by_startup.sum())
        # the stocks after the month's hires, as the indicators count them at the end of the month
        self.unemployed_by_zone = unemployed - counts.unemployed_by_home_zone
        self.active_by_zone = active + counts.inactive_by_home_zone

    def access_multiplier(self, access_gain: np.ndarray | None) -> np.ndarray | None:
        """Search efficiency of each home zone's seekers relative to the reference: exp(elasticity
        x gain) averaged over work zones with the zone's search shares (None when nothing changed)."""
        if access_gain is None:
            return None
        elasticity = self.params.access_search_elasticity
        return (self.search_share * np.exp(elasticity * access_gain)).sum(axis=1)

    def employment_rate(self) -> np.ndarray:
        """Employed share of the active residents of each home zone (1 before the first month)."""
        active = self.active_by_zone
        employed = active - self.unemployed_by_zone
        return np.divide(employed, active, out=np.ones(active.size), where=active > 0)

    def employed_residents(self) -> float:
        """Residents employed at the end of the month (simulated units): those counted at its start
        less the month's separations, plus its hires of residents inside and outside the metro."""
        return (
            self.employed_before
            - self.separations
            + float(self.hires_by_zone.sum())
            + float(self.outside_finds.sum())
        )

    def fill_rate(self) -> np.ndarray:
        """The month's hires per vacancy in each work zone (0 where there was none)."""
        vacancies = self.vacancies_by_zone
        return np.divide(self.hires_by_zone, vacancies, out=np.zeros(vacancies.size), where=vacancies > 0)

    def separation_share(self) -> float:
        """The month's separations per employed resident of working age."""
        return self.separations / self.employed_before if self.employed_before > 0 else 0.0

    def _separation_rates(self) -> SeparationRates:
        p = self.params
        return SeparationRates(
            p.separation_rate, p.exit_to_inactivity_rate, self.age_risk, self.education_risk
        )

    def _search_tables(self, search_boost: np.ndarray) -> SearchTables:
        p = self.params
        return SearchTables(
            by_age=self.search_by_age,
            by_education=self.search_by_education,
            inactive_efficiency=p.inactive_search_efficiency,
            boost_by_mark=search_boost,
            long_term_efficiency=p.long_term_unemployed_efficiency,
            # the zone multipliers are the calibrated traits of the zone's people, carried by
            # origin (NO_ZONE, which no resident carries, at the metro's average, 1)
            multiplier_by_origin=by_origin(self.zone_multiplier, 1.0),
        )

    def _matching(
        self, seekers: np.ndarray, vacancies: np.ndarray, outside_effort: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Hires per unit of search effort for each home zone, the CDF of their work zones, and
        each work zone's hires per unit of effort (residents' and in-commuters' alike)."""
        return matching_kernel(
            self.search_share,
            seekers,
            vacancies,
            outside_effort,
            self.matching_efficiency,
            self.params.matching_elasticity,
        )

    def _follow_residents(self, model: ModelView) -> None:
        """From the start, each zone gains (or loses) `residential_job_share` of the metro's
        incumbent jobs per resident for every resident it gains (or loses): the local services,
        shops, schools and care that serve the people present grow with them, so that new homes
        bring jobs as well as workers. Programme jobs come on top."""
        r = model.residents
        residents = np.bincount(r.zone[r.present()], minlength=self.jobs.size).astype(float)
        if self.residents_by_zone is None:
            share = self.params.residential_job_share
            self.residential_jobs_per_resident = share * self.jobs.sum() / max(residents.sum(), 1.0)
        else:
            change = self.residential_jobs_per_resident * (residents - self.residents_by_zone)
            self.jobs = np.maximum(self.jobs + change, 0.0)
        self.residents_by_zone = residents

    def _in_commuter_leaving_rate(self) -> float:
        """Monthly rate at which in-commuters leave their job (to unemployment or inactivity),
        that of a 25-54 year-old resident with the baccalauréat."""
        return self.params.separation_rate + self.params.exit_to_inactivity_rate

    def _hire_out_commuters(self, model: ModelView, search: SearchTables) -> int:
        """Job seekers find jobs outside the metropolis first, per unit of search effort at the
        rate `outside_find_ratio` x the boundary weight of their home cell x their home zone's
        finding rate in the metropolis the month before (their own draw on the out-commuters'
        stream), so that outside finds follow the metro's; returns the number of finds."""
        r = model.residents.kernel_view()
        finds = np.zeros((3, self.jobs.size), dtype=np.int64)
        spin_up = model.month < 1  # the spin-up's months are 0 and before
        self._ratio_used = self.outside_find_ratio * (self._outside_correction if spin_up else 1.0)
        rate_by_cell = self._ratio_used * self.boundary_weight * self.finding_rate[self.cell_zone]
        self.expected_outside_finds = outside_hiring_kernel(
            model.keys("labour.out_commuters"), r, search, rate_by_cell, chunks_for(r.zone.size), finds
        )
        self.outside_finds = finds[0]
        return int(finds[0].sum())

    def _hire_in_commuters(self, expected: np.ndarray, incumbent_open: np.ndarray, model: ModelView) -> None:
        """In-commuters take their share of each zone's hires first, from its whole vacancies
        (rounded at random; `incumbent_open` is updated in place)."""
        hires = np.minimum(_round_stochastically(expected, model.keys("labour.in_commuters")), incumbent_open)
        incumbent_open -= hires
        self.in_commuters += hires
        self.outside_hires = hires

    # --- calibration --------------------------------------------------------------------
    def calibrate(self, gain: float = 1.0) -> None:
        """One spin-up adjustment, in the units of the flows. A zone's unemployment is stable when
        its hires equal its net inflow into unemployment (hires + change of the stock); the wanted
        hires add the gap to the census rate spread over the calibration horizon. A moves with the
        metro ratio of wanted to actual hires, each zone multiplier with its own ratio relative
        to the metro one; both by at most 20 % a month, and noisy small zones are damped.
        Incumbent jobs follow employment so that the vacancy rate stays at its target, and the
        rate at which established firms shed jobs matches the jobs that graduating startups add.
        `gain` in (0, 1] scales the month's adjustments of A and the multipliers: the spin-up
        lowers it towards the end,
        so that the values kept are settled rather than the controller's last noisy steps (and
        stay consistent with one another, which separate averages of them would not be).
        Incumbent jobs move towards their target by the same `gain`, so that the last months
        calibrate A under the dynamics the run will have (jobs that change only by loss,
        graduations and programmes) and unemployment does not drift once the values are frozen."""
        previous = self._smoothed.get("unemployed")
        smoothed = self._smooth(
            hires=self.hires_by_home,
            unemployed=self.unemployed_by_zone,
            active=self.active_by_zone,
            graduates=self.graduate_jobs,
        )
        hires, unemployed, active = smoothed["hires"], smoothed["unemployed"], smoothed["active"]
        change = unemployed - previous if previous is not None else np.zeros_like(unemployed)
        target = self.target_unemployment * active
        horizon = self.params.calibration_horizon_months
        wanted = hires + change + (unemployed - target) / horizon
        # the metro ratio sums the zones' wanted hires before any is floored at zero: at small
        # scales small zones' noisy wants are often negative, and flooring them would bias A up
        metro_ratio = float(np.clip(wanted.sum() / max(hires.sum(), 1e-9), 0.8, 1.25))
        wanted = np.maximum(wanted, 0.0)
        ratio = np.divide(wanted, hires, out=np.full_like(wanted, metro_ratio), where=hires > 0)
        confidence = hires / (hires + 5.0)
        relative = np.exp(gain * confidence * np.log(np.clip(ratio / metro_ratio, 0.8, 1.25)))
        self.matching_efficiency *= metro_ratio**gain
        self.zone_multiplier = np.clip(self.zone_multiplier * relative, 0.2, 5.0)
        self.zone_multiplier /= np.average(self.zone_multiplier, weights=np.maximum(active, 1.0))
        # incumbent jobs are set where a share `vacancy_rate` of them is vacant, from the month's
        # filled jobs (employment is persistent, so they are not noisy; a smoothed or slowed
        # tracking would lag behind the growing population and leave fewer vacancies). Posts freed
        # each month by people who leave, die or retire add to the vacancies counted, so the rate
        # tracked moves until the rate measured at the count is the target
        measured = float(self.vacancies_by_zone.sum() / max(self.jobs.sum(), 1e-9))
        self._tracked_vacancy_rate = float(
            np.clip(
                self._tracked_vacancy_rate + gain * VACANCY_GAIN * (self.params.vacancy_rate - measured),
                0.0,
                0.2,
            )
        )
        wanted_jobs = (self.filled_by_zone + self.in_commuters) / (1 - self._tracked_vacancy_rate)
        self.jobs += gain * (wanted_jobs - self.jobs)
        self._calibrate_outside_effort(gain)
        self._calibrate_outside_finding()
        # established firms shed jobs at the rate at which graduating startups add them, so that
        # the baseline's labour demand is stationary; a policy that adds startups adds jobs. The
        # rate is the spin-up's mean: graduations are few and lumpy, and a rate read off a few
        # months would set the whole run's labour demand on a trend up or down
        self._graduates_total += float(self.graduate_jobs.sum())
        self._jobs_total += float(self.jobs.sum())
        self.job_loss_rate = self._graduates_total / max(self._jobs_total, 1.0)

    def _calibrate_outside_effort(self, gain: float) -> None:
        """Outsiders' search effort moves with the ratio of the in-commuter hires that would hold
        their stock at its share of the jobs (replacing leavers, and closing the gap within the
        calibration horizon) to the hires they made (smoothed), by at most 20 % a month."""
        hires = self._smooth(outside_hires=self.outside_hires)["outside_hires"].sum()
        target = self.params.in_commuter_share * self.jobs.sum()
        stock = self.in_commuters.sum()
        wanted = (
            self._in_commuter_leaving_rate() * stock
            + (target - stock) / self.params.calibration_horizon_months
        )
        ratio = float(np.clip(max(wanted, 0.0) / max(hires, 1e-9), 0.8, 1.25))
        self.outside_effort_per_job *= ratio**gain

    def _calibrate_outside_finding(self) -> None:
        """The ratio of the residents' outside finding rate to the metro's is set so that outside
        finds are `out_commuting_share` of all the residents' job finds: share / (1 - share) times
        the metro's hires of residents per outside find expected at a ratio of 1 (both means over
        about two years). Out-commuters leave their jobs at the residents' rates and are recruited
        from the same job finders, so their stock then stays near that share of the employed
        residents. During the spin-up only, a correction on the ratio also closes the gap between
        their stock and that share within OUT_COMMUTER_HORIZON_MONTHS, so that the run starts at
        it; the run keeps the plain ratio. Expected finds and the metro's many hires, not the
        out-commuters' own few flows: at small scales a controller on those would wander."""
        if self.outside_find_ratio <= 0 or self.expected_outside_finds <= 0:
            return  # none wanted, or the first month (no finding rate in the metro yet)
        share = self.params.out_commuting_share
        self._metro_hires_mean = _slow_mean(self._metro_hires_mean, float(self.hires_by_zone.sum()))
        self._outside_per_ratio_mean = _slow_mean(
            self._outside_per_ratio_mean, self.expected_outside_finds / self._ratio_used
        )
        wanted = share / (1 - share) * self._metro_hires_mean  # outside finds a month
        self.outside_find_ratio = float(wanted / self._outside_per_ratio_mean)
        gap = share * self.employed_residents() - self.out_commuters
        correction = 1 + gap / OUT_COMMUTER_HORIZON_MONTHS / max(wanted, 1e-9)
        self._outside_correction = float(np.clip(correction, 0.5, 2.0))

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


@njit(cache=True, parallel=True)
def separation_kernel(key, r, rates):  # pragma: no cover - compiled
    """Employed residents (`r`, ResidentArrays) lose their job at the SeparationRates `rates` (in
    parallel: own state and draws only); returns the number of separations."""
    # unpacked before prange (see ResidentArrays)
    age_months = r.age_months
    education = r.education
    status = r.status
    months_in_status = r.months_in_status
    work_zone = r.work_zone
    employer = r.employer
    separation_rate = rates.separation_rate
    exit_rate = rates.exit_rate
    age_risk = rates.age_risk
    education_risk = rates.education_risk
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
        change_status(i, new, status, months_in_status)
        work_zone[i] = NO_ZONE
        employer[i] = NO_EMPLOYER
    return separations


def _slow_mean(mean: float, value: float, weight: float = 1 / 24) -> float:
    """Exponential moving average with a memory of about two years (negative mean: none yet)."""
    return float(value) if mean < 0 else mean + weight * (value - mean)


def _round_stochastically(values: np.ndarray, key: np.uint64) -> np.ndarray:
    """Whole numbers whose expectations are `values`: the integer part, plus one with probability
    the fractional part (a counter-based draw per zone and month)."""
    whole = np.floor(values)
    u = uniforms(key, np.arange(values.size), 0)
    return (whole + (u < values - whole)).astype(np.int64)
