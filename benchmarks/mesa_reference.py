"""The residents' monthly rules written the slow way: one Mesa agent per resident.

This is the reference against which the kernels are timed (`python -m benchmarks`) and checked
(tests/test_mesa_reference.py). It follows docs/MODEL.md: training (7.3), the labour market —
separations, search effort, finds of jobs outside the metropolis, matching per work zone, hiring
into startups and incumbent jobs (7.5) —, commuting mode choice (7.7) and exposure at home
(7.12), plus the monthly clock of section 7.1 (age and months in status). Each rule is a method
of `Resident`, zone-level arithmetic is plain Python, and randomness comes from Mesa's own
generator, not from the kernels' counter-based draws: the two implementations agree in
distribution, not draw by draw.

Both sides start from the state of a small `AMPModel` and read the same zone-level inputs: the
calibrated matching efficiency, zone multipliers and incumbent jobs, the outside finding ratio,
the boundary weights and the last month's finding rates, the startups' desired sizes, the
commuting logit's constant and the pollution fields. The other submodels (births and deaths,
life course, startups' own dynamics, housing, pollution, sensors) run on neither side.
`KernelMonths` runs the same months with the model's own submodels, for comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np

from ampsim.core.chunks import kernel_threads
from ampsim.model import AMPModel
from ampsim.world.residents import ARRIVED, INCUMBENT, NO_EMPLOYER, NO_ZONE, OUTSIDE, Status

RESIDENT_ATTRIBUTES = (
    "zone",
    "home_cell",
    "age_months",
    "sex",
    "education",
    "status",
    "income",
    "months_in_status",
    "work_zone",
    "employer",
    "car",
    "awareness",
    "trained",
    "origin",
    "exposure_no2",
    "exposure_pm25",
)


@dataclass
class StartupPositions:
    """What the labour market needs of a startup: where it is and how many of its positions are
    held by simulated residents (its staff among them)."""

    number: int
    zone: int
    positions: int
    staff: int = 0

    @property
    def open_positions(self) -> int:
        return max(0, self.positions - self.staff)


class Resident(mesa.Agent):
    """One resident, with the state of `ampsim.world.residents.Residents` as attributes."""

    def __init__(self, model: ReferenceModel, state: dict[str, float]):
        super().__init__(model)
        for name in RESIDENT_ATTRIBUTES:
            setattr(self, name, state[name])

    # --- helpers ------------------------------------------------------------------------
    @property
    def age(self) -> int:
        return self.age_months // 12

    def change_status(self, new: int) -> None:
        """A change of status restarts its duration (income follows at the income step, which
        the reference does not cover)."""
        if new != self.status:
            self.status = new
            self.months_in_status = 0

    def leave_job(self, new: int) -> None:
        self.change_status(new)
        self.work_zone = NO_ZONE
        self.employer = NO_EMPLOYER

    # --- 7.1: the clock -----------------------------------------------------------------
    def age_one_month(self) -> None:
        if self.status == Status.ABSENT:  # a free slot: nobody lives there
            return
        self.age_months = min(self.age_months + 1, 65535)
        self.months_in_status = min(self.months_in_status + 1, 255)

    # --- 7.3: training ------------------------------------------------------------------
    def train(self) -> None:
        """Complete or drop out of a course; or, as a job seeker or a young inactive, start one."""
        p = self.model.inputs
        if self.status == Status.IN_TRAINING:
            if self.months_in_status >= p.training_months:
                if self.trained == 0:
                    self.trained = 1
                if self.education < 3 and self.random.random() < p.diploma_gain:
                    self.education += 1
                self.change_status(Status.UNEMPLOYED)
            elif self.random.random() < p.training_dropout:
                self.trained = 0
                self.change_status(Status.UNEMPLOYED)
            return
        if self.status == Status.UNEMPLOYED and self.age < 60:
            rate = p.training_entry_unemployed
        elif self.status == Status.INACTIVE and 16 <= self.age <= 29:
            rate = p.training_entry_young_inactive
        else:
            return
        if self.random.random() < rate:
            self.trained = 0
            self.change_status(Status.IN_TRAINING)

    # --- 7.5: labour market -------------------------------------------------------------
    def separate(self) -> None:
        """An employed resident loses their job, to unemployment or out of the labour force."""
        if self.status != Status.EMPLOYED:
            return
        p = self.model.inputs
        band = 0 if self.age < 25 else (1 if self.age < 55 else 2)
        to_unemployment = (
            p.separation_rate
            * p.separation_risk_by_age[band]
            * p.separation_risk_by_education[self.education]
        )
        u = self.random.random()
        if u < to_unemployment:
            self.leave_job(Status.UNEMPLOYED)
        elif u < to_unemployment + p.exit_rate:
            self.leave_job(Status.INACTIVE)

    def search_effort(self) -> float:
        """Effort of a job seeker (or, much lower, of an inactive person) aged 15-64, times the
        calibrated multiplier of the zone they come from (1 for arrivals from outside)."""
        p = self.model.inputs
        if not 15 <= self.age <= 64:
            return 0.0
        by_age = p.search_by_age[0 if self.age < 25 else (1 if self.age < 55 else 2)]
        zone = self.origin - ARRIVED if ARRIVED <= self.origin < NO_ZONE else self.origin
        multiplier = p.zone_multiplier[zone] if zone < len(p.zone_multiplier) else 1.0
        if self.status == Status.UNEMPLOYED:
            effort = p.search_by_education[self.education] * by_age * p.search_boost[self.trained]
            if self.months_in_status >= 12:
                effort *= p.long_term_efficiency
            return effort * multiplier
        if self.status == Status.INACTIVE:
            return p.inactive_efficiency * p.search_by_education[self.education] * by_age * multiplier
        return 0.0

    def look_outside(self) -> None:
        """Before the metro's matching, find a job outside the metropolis with probability
        1 - exp(-effort x kappa x the home cell's boundary weight x last month's phi_h)."""
        if self.status not in (Status.UNEMPLOYED, Status.INACTIVE):
            return
        p = self.model.inputs
        rate = p.outside_find_ratio * p.boundary_weight[self.home_cell] * self.model.finding_rate[self.zone]
        effort = self.search_effort()
        if effort <= 0 or rate <= 0 or self.random.random() >= 1 - math.exp(-effort * rate):
            return
        self.change_status(Status.EMPLOYED)
        self.work_zone = NO_ZONE
        self.employer = OUTSIDE
        self.trained = 0

    def look_for_job(self) -> None:
        """Find a job with probability 1 - exp(-effort x phi_h), in a work zone drawn in proportion
        to the hires per unit effort; take a startup's open position or an incumbent job there."""
        if self.status not in (Status.UNEMPLOYED, Status.INACTIVE):
            return
        market = self.model.market
        phi = market.finding_rate[self.zone]
        effort = self.search_effort()
        if effort <= 0 or phi <= 0 or self.random.random() >= 1 - math.exp(-effort * phi):
            return
        flow = market.flow[self.zone]
        w = self.random.choices(range(len(flow)), weights=flow)[0]
        if market.open_in(w) <= 0:  # a full zone: another one within reach that has a vacancy
            weights = [f if market.open_in(z) > 0 else 0.0 for z, f in enumerate(flow)]
            if sum(weights) <= 0:
                return
            w = self.random.choices(range(len(flow)), weights=weights)[0]
        incumbent, startups = market.incumbent_open[w], market.startups_in_zone[w]
        startup_open = sum(s.open_positions for s in startups)
        weight = startup_open * self.model.inputs.startup_preference[self.education]
        if weight > 0 and self.random.random() * (weight + incumbent) < weight:
            startup = self.random.choices(startups, weights=[s.open_positions for s in startups])[0]
            startup.staff += 1
            self.employer = startup.number
        elif incumbent > 0:
            market.incumbent_open[w] -= 1
            self.employer = INCUMBENT
        else:
            return
        market.hires += 1
        self.change_status(Status.EMPLOYED)
        self.work_zone = w
        self.trained = 0

    # --- 7.7: commuting -----------------------------------------------------------------
    def choose_mode(self) -> None:
        """A new worker, or one who reconsiders, chooses the car with the logit probability."""
        if self.status != Status.EMPLOYED or self.work_zone == NO_ZONE:  # out-commuters: no trip here
            self.car = 0
            return
        p = self.model.inputs
        if self.months_in_status == 0 or self.random.random() < p.reconsider_rate:
            h, w = self.zone, self.work_zone
            utility = (
                p.intercept
                + p.beta_distance * p.log_distance[h][w]
                + p.beta_income * (math.log(max(self.income, 1.0)) - p.log_metro_median)
                + p.beta_density * p.log_density[h]
                + p.beta_awareness * self.awareness / 255
                - p.transit_bonus[h]
                - p.lez_penalty[h]
                - p.lez_penalty[w]
            )
            self.car = 1 if self.random.random() < 1 / (1 + math.exp(-utility)) else 0

    # --- 7.12: exposure -----------------------------------------------------------------
    def breathe(self) -> None:
        """Exposure at home this month, lowered by awareness; the deaths it brings forward."""
        if self.status == Status.ABSENT:  # a free slot: nobody lives there
            self.deaths_pm25 = 0.0
            return
        p = self.model.inputs
        reduction = 1 - p.avoidance * self.awareness / 255
        no2, pm25 = p.no2[self.home_cell] * reduction, p.pm25[self.home_cell] * reduction
        self.exposure_no2 += no2
        self.exposure_pm25 += pm25
        death = p.death_probability[self.sex][min(self.age, len(p.death_probability[0]) - 1)]
        self.deaths_pm25 = (
            death * (1 - math.exp(-p.beta_pm25 * (pm25 - p.who_pm25))) if pm25 > p.who_pm25 else 0.0
        )


class ReferenceInputs:
    """The parameters and zone-level inputs the rules read, as plain Python numbers and lists."""

    def __init__(self, source: AMPModel):
        params = source.params
        training, labour, commuting = params.training, params.labour, source.commuting
        self.training_months = training.duration_months
        self.training_dropout = training.dropout_rate
        self.diploma_gain = training.diploma_gain_probability
        self.training_entry_unemployed = training.entry_rate_unemployed
        self.training_entry_young_inactive = training.entry_rate_young_inactive
        self.separation_rate = labour.separation_rate
        self.exit_rate = labour.exit_to_inactivity_rate
        self.separation_risk_by_age = list(labour.separation_risk_by_age)
        self.separation_risk_by_education = list(labour.separation_risk_by_education)
        self.search_by_age = list(labour.search_efficiency_by_age)
        self.search_by_education = list(labour.search_efficiency_by_education)
        self.search_boost = [float(b) for b in source.training.search_boost]
        self.inactive_efficiency = labour.inactive_search_efficiency
        self.long_term_efficiency = labour.long_term_unemployed_efficiency
        self.matching_elasticity = labour.matching_elasticity
        self.matching_efficiency = float(source.labour.matching_efficiency)
        self.zone_multiplier = source.labour.zone_multiplier.tolist()
        self.search_share = source.labour.search_share.tolist()
        self.job_loss_rate = float(source.labour.job_loss_rate)
        self.outside_effort_per_job = float(source.labour.outside_effort_per_job)
        self.outside_find_ratio = float(source.labour.outside_find_ratio)
        self.boundary_weight = source.labour.boundary_weight.tolist()  # by territory cell (home_cell)
        self.in_commuter_leaving = float(source.labour._in_commuter_leaving_rate())
        self.startup_preference = list(labour.startup_preference_by_education)
        self.intercept = float(commuting.intercept)
        self.beta_distance = commuting.params.beta_distance
        self.beta_income = commuting.params.beta_income
        self.beta_density = commuting.params.beta_density
        self.beta_awareness = commuting.params.beta_awareness
        self.reconsider_rate = commuting.params.reconsider_rate
        self.log_distance = commuting.log_distance.tolist()
        self.log_density = commuting.log_density.tolist()
        self.log_metro_median = commuting.log_metro_median
        self.transit_bonus = commuting.transit_bonus.tolist()
        self.lez_penalty = commuting.lez_penalty.tolist()
        exposure = params.exposure
        flat = source.territory.grid.cell_flat
        self.no2 = source.pollution.no2.ravel()[flat].tolist()  # by territory cell (home_cell)
        self.pm25 = source.pollution.pm25.ravel()[flat].tolist()
        self.avoidance = params.sensors.exposure_avoidance
        self.who_pm25 = exposure.who_guideline_pm25
        self.beta_pm25 = math.log(exposure.relative_risk_pm25) / 10
        self.death_probability = source.demography.death_probability.tolist()


class LabourMarketState:
    """The month's zone-level quantities: vacancies, hires per unit of effort, destinations."""

    def __init__(self, incumbent_open, startups_in_zone, finding_rate, flow):
        self.incumbent_open = incumbent_open
        self.startups_in_zone = startups_in_zone
        self.finding_rate = finding_rate
        self.flow = flow
        self.hires = 0

    def open_in(self, zone: int) -> int:
        """Vacancies left in a work zone: incumbent jobs and startups' open positions."""
        return self.incumbent_open[zone] + sum(s.open_positions for s in self.startups_in_zone[zone])


class ReferenceModel(mesa.Model):
    """The residents of an `AMPModel` as Mesa agents, stepping the rules of this module."""

    def __init__(self, source: AMPModel, seed: int = 0):
        super().__init__(rng=seed)
        self.inputs = ReferenceInputs(source)
        self.n_zones = source.territory.n_zones
        self.jobs = source.labour.jobs.tolist()
        self.in_commuters = source.labour.in_commuters.tolist()
        self.finding_rate = source.labour.finding_rate.tolist()  # last month's, by home zone
        self.startups = [
            StartupPositions(s.number, s.zone, s.simulated_positions(), s.simulated_staff)
            for s in sorted(source.startups.agents, key=lambda s: s.number)
        ]
        r = source.residents
        arrays = {name: getattr(r, name).tolist() for name in RESIDENT_ATTRIBUTES}
        for i in range(r.n):
            Resident(self, {name: arrays[name][i] for name in RESIDENT_ATTRIBUTES})
        self.market: LabourMarketState | None = None

    def step(self) -> None:
        """One month: the clock, training, the labour market, commuting, exposure."""
        self.agents.do("age_one_month")
        self.agents.do("train")
        self.labour_market()
        self.agents.do("choose_mode")
        self.agents.do("breathe")

    def labour_market(self) -> None:
        """Startups' open positions (staff counted before separations, as the model counts them
        at the end of the previous month), separations, outside finds, matching per work zone,
        hiring."""
        self.count_startup_staff()
        self.agents.do("separate")
        self.agents.do("look_outside")
        p = self.inputs
        n = self.n_zones
        seekers, filled = [0.0] * n, [0] * n
        for resident in self.agents:
            if resident.status == Status.EMPLOYED:
                if resident.employer == INCUMBENT:
                    filled[resident.work_zone] += 1
            else:
                seekers[resident.zone] += resident.search_effort()
        self.jobs = [j * (1 - p.job_loss_rate) for j in self.jobs]
        self.in_commuters = [c * (1 - p.in_commuter_leaving) for c in self.in_commuters]
        vacant = [max(self.jobs[w] - filled[w] - self.in_commuters[w], 0.0) for w in range(n)]
        incumbent_open = [math.floor(v) + (self.random.random() < v - math.floor(v)) for v in vacant]
        startups_in_zone = [[s for s in self.startups if s.zone == w] for w in range(n)]
        vacancies = [vacant[w] + sum(s.open_positions for s in startups_in_zone[w]) for w in range(n)]
        weight = p.search_share
        per_effort = []
        outside = [p.outside_effort_per_job * j for j in self.jobs]  # in-commuters' search
        for w in range(n):  # M_w = min(V_w, A U*_w^alpha V_w^(1 - alpha)), per unit of U*_w
            effective = outside[w] + sum(weight[h][w] * seekers[h] for h in range(n))
            if effective > 0 and vacancies[w] > 0:
                alpha = p.matching_elasticity
                hires = min(
                    vacancies[w], p.matching_efficiency * effective**alpha * vacancies[w] ** (1 - alpha)
                )
                per_effort.append(hires / effective)
            else:
                per_effort.append(0.0)
        for w in range(n):  # in-commuters take their share of the hires first
            expected = per_effort[w] * outside[w]
            hires = math.floor(expected) + (self.random.random() < expected - math.floor(expected))
            hires = min(hires, incumbent_open[w])
            incumbent_open[w] -= hires
            self.in_commuters[w] += hires
        flow = [[weight[h][w] * per_effort[w] for w in range(n)] for h in range(n)]
        finding_rate = [sum(row) for row in flow]
        self.finding_rate = finding_rate
        self.market = LabourMarketState(incumbent_open, startups_in_zone, finding_rate, flow)
        self.agents.shuffle_do("look_for_job")
        self.count_startup_staff()

    def count_startup_staff(self) -> None:
        staff: dict[int, int] = {}
        for resident in self.agents:
            if resident.status == Status.EMPLOYED and resident.employer > 0:
                staff[resident.employer] = staff.get(resident.employer, 0) + 1
        for startup in self.startups:
            startup.staff = staff.get(startup.number, 0)

    def attributable_deaths_pm25(self) -> float:
        """Deaths attributable to PM2.5 this month (simulated residents)."""
        return sum(resident.deaths_pm25 for resident in self.agents)

    def close(self) -> None:
        """Release Mesa's per-model agent counter (as `AMPModel.close`)."""
        mesa.Agent._ids.pop(self, None)

    def state(self) -> dict[str, np.ndarray]:
        """The residents' attributes as arrays (in the order the agents were created)."""
        agents = list(self.agents)
        return {name: np.array([getattr(a, name) for a in agents]) for name in RESIDENT_ATTRIBUTES}


class KernelMonths:
    """The same months run by the model's own submodels (Numba kernels), from a saved state."""

    def __init__(self, model: AMPModel):
        self.model = model
        self._residents = {name: array.copy() for name, array in model.residents.arrays().items()}
        self._jobs = model.labour.jobs.copy()
        self._in_commuters = model.labour.in_commuters.copy()
        self._finding_rate = model.labour.finding_rate.copy()
        self._staff = {s.number: (s.simulated_staff, s.outside_staff) for s in model.startups.agents}

    def restore(self, replicate: int = 0) -> None:
        """Back to the saved state; the kernels' draws then come from `replicate`'s streams."""
        model = self.model
        for name, array in self._residents.items():
            getattr(model.residents, name)[:] = array
        model.labour.jobs = self._jobs.copy()
        model.labour.in_commuters = self._in_commuters.copy()
        model.labour.finding_rate = self._finding_rate.copy()
        for startup in model.startups.agents:
            startup.simulated_staff, startup.outside_staff = self._staff[startup.number]
        model.use_replicate_streams(replicate)

    def step(self) -> None:
        """One month: the clock, training, the labour market, commuting, exposure."""
        model = self.model
        r = model.residents
        model.month += 1
        present = r.present()  # the demography kernel ages only the residents, not the free slots
        r.age_months[present] = np.minimum(r.age_months[present].astype(np.int64) + 1, 65535)
        r.months_in_status[present] = np.minimum(r.months_in_status[present].astype(np.int64) + 1, 255)
        with kernel_threads(r.n):  # as `AMPModel.step`
            model.training.step(model)
            model.labour.step(
                model, search_boost=model.training.search_boost, openings=model.startups.open_positions()
            )
            model.startups.recount_employees(model)
            model.commuting.step(model)
            model.exposure.step(
                model,
                air=model.pollution,
                avoidance=model.params.sensors.exposure_avoidance,
                death_probability=model.demography.death_probability,
            )


def metro_results(state: dict[str, np.ndarray], source: AMPModel) -> dict[str, float]:
    """The compared metro results of one side's resident state (the same function for both)."""
    age = state["age_months"] // 12
    status = state["status"]
    working_age = (age >= 15) & (age <= 64)
    employed = status == Status.EMPLOYED
    unemployed = (status == Status.UNEMPLOYED) & working_age
    active = (employed & working_age) | unemployed
    young = working_age & (age <= 24)
    return {
        "unemployment_rate": 100 * unemployed.sum() / active.sum(),
        "youth_unemployment_rate": 100 * (unemployed & young).sum() / (active & young).sum(),
        "employed": float(employed.sum()),
        "in_training": float((status == Status.IN_TRAINING).sum()),
        "trained_seekers": float(((state["trained"] > 0) & (status == Status.UNEMPLOYED)).sum()),
        "startup_staff": float((employed & (state["employer"] > 0)).sum()),
        "car_share": 100 * state["car"][employed].sum() / max(employed.sum(), 1),
        "mean_exposure_no2": float(np.mean(state["exposure_no2"], dtype=np.float64)),
        "mean_exposure_pm25": float(np.mean(state["exposure_pm25"], dtype=np.float64)),
        "mean_income": float(np.mean(state["income"], dtype=np.float64)),
    }


def kernel_state(model: AMPModel) -> dict[str, np.ndarray]:
    return {name: array.copy() for name, array in model.residents.arrays().items()}
