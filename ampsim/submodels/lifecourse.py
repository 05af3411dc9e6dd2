"""Life-course transitions outside the job market: leaving school, inactivity, retirement.

Pupils and students leave education at an age that depends on the diploma they are heading for
(uniformly inside a window); school leavers enter the labour market as job seekers or stay
inactive, and the young among the latter are NEETs. Job seekers give up searching and inactive
people start again at the annual rates of the EU labour-force survey. From 55, people retire with
rising probability; everyone is retired at 65.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from ampsim.core.parameters import ASSUMPTION, ParameterGroup, bounded, parameter
from ampsim.core.rng import uniform
from ampsim.core.submodel import Submodel
from ampsim.submodels.household_events import (
    CoupleRule,
    HomeCells,
    home_leavers_kernel,
    move_out_kernel,
    unions_kernel,
)
from ampsim.world.households import HouseholdParameters
from ampsim.world.residents import NO_EMPLOYER, NO_ZONE, Status, change_status
from ampsim.world.view import ModelView

_IZA = (
    "annual transition probability, continental Europe, EU-LFS 1998-2008 (IZA Journal of European "
    "Labor Studies 3:17, table 2)"
)


Age = bounded(10, 35, int)  # an age at which people leave education, years
AgeWindow = tuple[Age, Age]
AdultAge = bounded(18, 100, int)  # an adult's age, years


class LifecourseParameters(ParameterGroup):
    """School leaving, inactivity flows and retirement."""

    school_leaving_ages: tuple[AgeWindow, AgeWindow, AgeWindow, AgeWindow] = parameter(
        ((16, 17), (17, 19), (18, 20), (20, 23)),
        unit="years",
        source="French education system (schooling compulsory to 16, CAP/BEP around 18, "
        "baccalauréat at 18, higher education to 20-23), shortened so that about 125,000 15-24 "
        "year-olds are in education, near the census's inactive students (EMP T1 2022); "
        "modelling assumption",
        description="age window (first, last) for leaving education, by diploma level 0-3",
    )
    active_on_leaving: float = parameter(
        0.85,
        unit="1",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="probability that a school leaver looks for work rather than staying inactive",
    )
    unemployed_to_inactive: float = parameter(
        0.08,
        unit="1/year",
        ge=0,
        le=1,
        source=_IZA + ": U to NA 18.4 % in continental and 5.2 % in Mediterranean Europe; a value "
        "between them keeps the census stocks of job seekers and other inactive people stationary",
        description="annual probability that a job seeker stops searching",
    )
    inactive_to_unemployed: float = parameter(
        0.07,
        unit="1/year",
        ge=0,
        le=1,
        source=_IZA + ": NA to U 3.5 % over all inactive people, students and retirees included; "
        "for the other inactive of working age, raised so that their census stock (12.3 % of "
        "15-64 year-olds) is stationary; modelling assumption",
        description="annual probability that an inactive person starts searching",
    )
    retirement_55_59: float = parameter(
        0.02,
        unit="1/year",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="annual probability of retiring at 55-59",
    )
    retirement_60_61: float = parameter(
        0.15,
        unit="1/year",
        ge=0,
        le=1,
        source=ASSUMPTION,
        description="annual probability of retiring at 60-61",
    )
    retirement_62_64: float = parameter(
        0.35,
        unit="1/year",
        ge=0,
        le=1,
        source="legal retirement age 62-64 in France; modelling assumption",
        description="annual probability of retiring at 62-64 (everyone retires at 65)",
    )
    leave_home_rate: float = parameter(
        0.1,
        unit="1/year",
        ge=0,
        le=1,
        source="calibrated: keeps the shares of 18-29 year-olds living with their parents near "
        "their initial values (INSEE Flash Nouvelle-Aquitaine no. 21, 2017: 72 % at 18 to 9 % at "
        "29); see docs/HOUSEHOLDS.md",
        description="annual probability that an adult child who works or has reached the "
        "independence age leaves the parental home",
    )
    independence_age: int = parameter(
        25,
        unit="years",
        ge=18,
        le=40,
        source=ASSUMPTION,
        description="age from which an adult child leaves home at the set rate even without a job",
    )
    union_rate: float = parameter(
        0.15,
        unit="1/year",
        ge=0,
        le=1,
        source="calibrated: keeps the number of households, and so their mean size, near the "
        "census (2.13 people per household) over the run; see docs/HOUSEHOLDS.md",
        description="annual probability that a person living alone, of the union ages, forms a "
        "couple with another person living alone of the zone",
    )
    union_ages: tuple[AdultAge, AdultAge] = parameter(
        (18, 59),
        unit="years",
        source=ASSUMPTION,
        description="ages (first, last) at which a person living alone looks for a partner",
    )


def _monthly(annual: float) -> float:
    return 1.0 - (1.0 - annual) ** (1.0 / 12.0)


class Lifecourse(Submodel):
    """Applies the month's school leaving, inactivity and retirement transitions."""

    def __init__(self, params: LifecourseParameters, households: HouseholdParameters | None = None):
        super().__init__(params)
        households = households or HouseholdParameters()
        self.couple_rule = CoupleRule(
            float(households.couple_gap_mean),
            float(households.couple_gap_spread),
            int(households.couple_gap_min),
            int(households.couple_gap_max),
        )
        self.union_ages = np.array(params.union_ages, dtype=np.int64)
        self._leavers = np.empty(0, dtype=np.int32)  # slots of the month's home leavers, reused
        self.home_leavers = self.new_couples = 0
        windows = np.array(params.school_leaving_ages, dtype=np.int64)
        self.leave_first_month = windows[:, 0] * 12
        self.leave_end_month = (windows[:, 1] + 1) * 12
        age = np.arange(121)
        annual = np.select(
            [(age >= 55) & (age <= 59), (age >= 60) & (age <= 61), (age >= 62) & (age <= 64), age >= 65],
            [params.retirement_55_59, params.retirement_60_61, params.retirement_62_64, 1.0],
            0.0,
        )
        self.retirement_probability = np.array([_monthly(a) if a < 1 else 1.0 for a in annual])
        self.school_leavers = 0

    def setup(self, model: ModelView) -> None:
        # outreach towards young inactive people (policies raise it in their zones)
        self.youth_activation_by_zone = np.ones(model.territory.n_zones)

    def raise_youth_activation(self, zones: np.ndarray, gain: np.ndarray | float) -> None:
        """More outreach towards young inactive people of the zones (they look for work sooner)."""
        self.youth_activation_by_zone[zones] += gain

    def step(self, model: ModelView) -> None:
        p = self.params
        tables = LifecourseTables(
            leave_first_month=self.leave_first_month,
            leave_end_month=self.leave_end_month,
            active_on_leaving=p.active_on_leaving,
            unemployed_to_inactive=_monthly(p.unemployed_to_inactive),
            inactive_to_unemployed=_monthly(p.inactive_to_unemployed),
            youth_activation=self.youth_activation_by_zone,
            retirement_probability=self.retirement_probability,
        )
        self.school_leavers = lifecourse_kernel(
            model.keys("lifecourse"), model.residents.kernel_view(), tables
        )
        self._leave_home(model)
        self.new_couples = unions_kernel(
            model.keys("households.unions"),
            model.residents.kernel_view(),
            model.households.arrays(),
            _monthly(p.union_rate),
            self.union_ages,
            self.couple_rule,
            model.territory.n_zones,
        )

    def _leave_home(self, model: ModelView) -> None:
        """Adult children who work or are old enough leave home, each into a one-person household
        of their zone (docs/HOUSEHOLDS.md)."""
        r = model.residents
        if self._leavers.size != r.n:
            self._leavers = np.empty(r.n, dtype=np.int32)
        key = model.keys("households.leaving_home")
        view = r.kernel_view()
        p = self.params
        rate = _monthly(p.leave_home_rate)
        n = home_leavers_kernel(key, view, model.households.arrays(), rate, p.independence_age, self._leavers)
        grid = model.territory.grid
        edges = np.quantile(r.income[r.present()], [0.2, 0.4, 0.6, 0.8])
        cells = HomeCells(grid.zone_cell_start, grid.zone_cells, model.home_cell_cdf, edges)
        move_out_kernel(key, view, model.households.reserve(n), self._leavers, n, cells)
        self.home_leavers = int(n)


class LifecourseTables(NamedTuple):
    """What the life-course kernel reads besides the residents (read-only)."""

    leave_first_month: np.ndarray  # by diploma level: first age in months for leaving education
    leave_end_month: np.ndarray  # by diploma level: age in months by which all have left
    active_on_leaving: float  # probability that a school leaver looks for work
    unemployed_to_inactive: float  # monthly probabilities
    inactive_to_unemployed: float
    youth_activation: np.ndarray  # by zone: multiplier of the above for those aged 25 or less
    retirement_probability: np.ndarray  # monthly, by age in years


@njit(cache=True, parallel=True)
def lifecourse_kernel(key, r, tables):  # pragma: no cover - compiled
    """One month of life-course transitions of residents `r` (ResidentArrays); returns the number
    of school leavers. Each resident's transitions depend on their own state and draws only, so
    residents are visited in parallel."""
    # unpacked before prange (see ResidentArrays)
    zone = r.zone
    age_months = r.age_months
    education = r.education
    status = r.status
    months_in_status = r.months_in_status
    work_zone = r.work_zone
    employer = r.employer
    leave_first_month = tables.leave_first_month
    leave_end_month = tables.leave_end_month
    active_on_leaving = tables.active_on_leaving
    youth_activation = tables.youth_activation
    p_unemployed_to_inactive = tables.unemployed_to_inactive
    p_inactive_to_unemployed = tables.inactive_to_unemployed
    retirement_probability = tables.retirement_probability
    leavers = 0
    max_age = retirement_probability.size - 1
    for i in prange(age_months.size):
        s = status[i]
        if s == Status.RETIRED or s == Status.ABSENT:
            continue
        age_m = age_months[i]
        age = min(age_m // 12, max_age)
        p_retire = retirement_probability[age]  # 0 before 55: no draw needed
        if s != Status.IN_EDUCATION and p_retire > 0.0 and uniform(key, i, 3) < p_retire:
            change_status(i, Status.RETIRED, status, months_in_status)
            work_zone[i] = NO_ZONE
            employer[i] = NO_EMPLOYER
            continue
        if s == Status.IN_EDUCATION:
            level = education[i]
            if age_m < leave_first_month[level] or age < 15:
                continue
            remaining = leave_end_month[level] - age_m
            p_leave = 1.0 / remaining if remaining > 0 else 1.0 / 12.0
            if uniform(key, i, 0) < p_leave:
                leavers += 1
                new = Status.UNEMPLOYED if uniform(key, i, 1) < active_on_leaving else Status.INACTIVE
                change_status(i, new, status, months_in_status)
        elif s == Status.UNEMPLOYED and uniform(key, i, 2) < p_unemployed_to_inactive:
            change_status(i, Status.INACTIVE, status, months_in_status)
        elif s == Status.INACTIVE:
            p_search = p_inactive_to_unemployed * (youth_activation[zone[i]] if age <= 25 else 1.0)
            if uniform(key, i, 2) < p_search:
                change_status(i, Status.UNEMPLOYED, status, months_in_status)
    return leavers
