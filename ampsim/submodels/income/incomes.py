"""The income side of the model: residents' pay, pensions and unemployment insurance, their
households' disposable income by the tax-benefit rules, and each resident's standard of living,
calibrated zone by zone to Filosofi's medians (see `household_income.py` for the rules).

At the start each employed resident's pay and each retiree's pension are drawn, each household
gets a tenure (owner, private or social tenant, housed free) and a zone level, one factor on the
pay and pensions of the zone's residents, is fitted so that the zone's median standard of living
is Filosofi 2021's, carried to the start year with the poverty line. Then each month the state
follows the month's status changes and the households whose inputs changed are computed again;
every household is computed again each January, with the new year's rules and rents.
"""

from __future__ import annotations

import itertools

import numpy as np

from ampsim.core.rng import uniforms
from ampsim.core.submodel import Submodel
from ampsim.submodels.income.earnings import (
    EarningsParameters,
    build_earnings_table,
    draw_earnings,
    net_smic,
)
from ampsim.submodels.income.household_income import (
    HousingInputs,
    IncomeState,
    aggregate_kernel,
    arrival_kernel,
    empty_state,
    reconcile_kernel,
    standard_of_living,
)
from ampsim.submodels.income.housing_costs import (
    HousingCostParameters,
    draw_tenures,
    rent_table,
    zone_apl_zones,
    zone_areas,
)
from ampsim.submodels.income.legislation import parameters_at
from ampsim.submodels.income.pensions import (
    PensionParameters,
    aspa_indexed,
    draw_pensions,
    fit_pension_table,
    survivor_factors,
)
from ampsim.submodels.income.taxbenefit import poverty_line
from ampsim.world.residents import NO_ZONE, Residents, Status, by_origin
from ampsim.world.territory import Territory
from ampsim.world.view import ModelView

FILOSOFI_YEAR = 2021
PENSION_TABLE_YEAR = 2024  # the pension table is in December 2023 euros
PENSION_INDEXATION = 0.015  # a year, after 2023: modelling assumption (the legislation file's rate)
CALIBRATION_ROUNDS = 8
CALIBRATION_GAIN = 1.3  # pay moves the standard of living less than one for one (benefits, tax)


class Incomes(Submodel):
    """Pay, pensions, ARE, ASS and households' standard of living; `income` of the residents.

    During the spin-up the state follows the status changes but incomes are not computed (the
    labour market's calibration does not need them); `start` fits the zone levels and computes
    every household at the end of it."""

    def __init__(
        self,
        earnings: EarningsParameters,
        pensions: PensionParameters,
        housing: HousingCostParameters,
    ):
        super().__init__(earnings)
        self.earnings_params = earnings
        self.pension_params = pensions
        self.rent_table = rent_table(housing)

    # --- the start ------------------------------------------------------------------------
    def setup(self, model: ModelView) -> None:
        """Pay, pensions and tenures drawn, with the rules of the start month."""
        self.year, self.month = model.year, model.calendar_month
        self.earnings_table = build_earnings_table(self.earnings_params, self.year, self.month)
        self.pension_table = fit_pension_table(self.pension_params, self._pension_index(self.year))
        self.state = self._initial_state(
            model.residents, model.seed_generator("income.initial"), model.territory.n_zones
        )
        territory = model.territory
        _, area = zone_areas(territory)
        self.apl_zone = zone_apl_zones(territory)
        self.rent_area = area
        self.index_ratio = np.ones(territory.n_zones)
        self.tenure = np.zeros(0, dtype=np.int64)
        self._grow_tenures(model)
        self.zone_level = np.ones(territory.n_zones)
        self.level_by_origin = by_origin(self.zone_level, 1.0)  # fitted at the start
        self.target = self.filosofi_targets(territory, self.year)
        self.living = np.zeros(model.households.capacity)
        self.previous_status = model.residents.status.copy()
        self.survivor = np.ones((2, 2))  # set at the start (`survivor_factors`)
        self.computed = 0

    def _initial_state(self, residents: Residents, rng: np.random.Generator, n_zones: int) -> IncomeState:
        """Pay of the employed, pensions of the retirees, and the drawn work history and
        unemployment rights of everyone (`household_income.arrival_state`)."""
        r, n = residents, residents.n
        state = empty_state(n)
        draws = rng.random((n, 3))
        rights = rng.random((n, 4))
        employed = np.flatnonzero(r.status == Status.EMPLOYED)
        state.earnings[employed] = draw_earnings(
            draws[employed, 0],
            draws[employed, 1],
            r.education[employed],
            (r.age_months[employed] // 12).astype(float),
            r.sex[employed],
            r.employer[employed] > 0,
            self.earnings_table,
        )
        retired = np.flatnonzero(r.status == Status.RETIRED)
        state.pension[retired] = draw_pensions(draws[retired, 2], r.sex[retired], self.pension_table)
        arrival_kernel(
            rights,
            r.kernel_view(),
            by_origin(np.ones(n_zones), 1.0),
            self._net_to_gross(self.year, self.month),
            self._arrival_shares(),
            self.earnings_table,
            state,
        )
        return state

    def _arrival_shares(self) -> np.ndarray:
        return np.array(self.earnings_params.arrival_benefit_shares, dtype=float)

    @staticmethod
    def _net_to_gross(year: int, month: int) -> float:
        return float(parameters_at(year, month)["wage.net_to_gross"])

    def _grow_tenures(self, model: ModelView) -> None:
        """A tenure for every row of the household table (rows added since are drawn, keyed on the
        row: common random numbers); a row reused by a new household keeps its dwelling's."""
        rows = model.households.capacity
        old = self.tenure.size
        if rows <= old:
            return
        new = np.arange(old, rows)
        draws = uniforms(model.keys("income.tenure", month=0), new, 0)
        zone = model.households.arrays().zone[new]
        added = draw_tenures(draws, zone, model.territory, self.rent_table)
        self.tenure = np.concatenate([self.tenure, added])

    @staticmethod
    def filosofi_targets(territory: Territory, year: int) -> np.ndarray:
        """Each zone's Filosofi 2021 median standard of living (€/year per consumption unit),
        carried to `year` with the poverty line (the same index as the poverty threshold)."""
        ratio = poverty_line(year) / poverty_line(FILOSOFI_YEAR)
        return territory.zones["median_income_eur"].to_numpy(float) * ratio

    def start(self, model: ModelView) -> None:
        """Fit the zone levels (each round scales the pay and pensions of a zone's people by its
        ratio of target to median standard of living, raised to a gain since benefits and tax damp
        the response, halved for a zone that overshot) and compute every household. The levels are
        traits of the zone's people, carried by origin (`Residents.origin`)."""
        r = model.residents
        self.survivor = survivor_factors(self.pension_params, self.alone_shares(r))
        gain = np.full(self.zone_level.size, CALIBRATION_GAIN)
        previous_gap = np.zeros(self.zone_level.size)
        for _ in range(CALIBRATION_ROUNDS):
            self.update_incomes(model)
            present = r.present()
            medians = zone_medians(r.income[present], r.zone[present], self.zone_level.size)
            # a zone left without residents (possible at small scales) keeps its level
            gap = np.where(np.isfinite(medians), np.log(self.target / medians), 0.0)
            # a small zone's median can jump from one household to the next: a zone whose gap
            # changed sign overshot, and takes half the step from then on
            gain = np.where(gap * previous_gap < 0, gain / 2, gain)
            step = np.exp(gain * gap)
            previous_gap = gap
            self.zone_level *= step
            by_resident = by_origin(step, 1.0)[r.origin].astype(np.float32)
            self.state.earnings[:] *= by_resident
            self.state.pension[:] *= by_resident
            self.state.reference_wage[:] *= by_resident
        self.update_incomes(model)
        # the code NO_ZONE, which no resident carries, reads the metro's average level
        weights = np.bincount(r.origin[r.present()], minlength=NO_ZONE + 1)[: self.zone_level.size]
        self.level_by_origin = by_origin(self.zone_level, np.average(self.zone_level, weights=weights))

    # --- every month ----------------------------------------------------------------------
    def step(self, model: ModelView, replaced: np.ndarray, rent_index: np.ndarray) -> None:
        """Follow the month's changes (`replaced`: slots taken by newcomers); in the run, compute
        the households whose inputs changed, all of them each January with the year's rules and
        rents (`rent_index`, the housing submodel's, relative to the start)."""
        r = model.residents
        year, month = (model.year, model.calendar_month) if model.month >= 1 else (self.year, self.month)
        smic_growth = net_smic(year, month) / net_smic(self.year, self.month)
        self.earnings_table = self.earnings_table._replace(
            level_index=self.earnings_table.level_index * smic_growth, net_smic=net_smic(year, month)
        )
        self._grow_tenures(model)
        if self.living.size < model.households.capacity:
            self.living = np.concatenate(
                [self.living, np.zeros(model.households.capacity - self.living.size)]
            )
        new_slot = np.zeros(r.n, dtype=np.bool_)
        new_slot[replaced] = True
        dirty = np.zeros(model.households.capacity, dtype=np.bool_)
        reconcile_kernel(
            model.keys("income"),
            r.kernel_view(),
            self.previous_status,
            new_slot,
            self.level_by_origin,
            self._net_to_gross(year, month),
            self._arrival_shares(),
            smic_growth,
            self.earnings_table,
            self.pension_table,
            self.state,
            r.household,
            dirty,
        )
        self.previous_status[:] = r.status
        self.year, self.month = year, month
        if model.month < 1:
            return
        which = None
        if month == 1:
            self.pension_table = self.pension_table._replace(level_index=self._pension_index(year))
            self.index_ratio = np.asarray(rent_index, dtype=float)
        else:
            which = np.flatnonzero(dirty)
        self.update_incomes(model, which)

    def update_incomes(self, model: ModelView, which: np.ndarray | None = None) -> None:
        """Compute the households `which` (all when None) and give their members their income."""
        r = model.residents
        table = model.households.arrays()
        inputs = aggregate_kernel(
            r.kernel_view(),
            self.state,
            r.household,
            model.households.capacity,
            self.pension_params.aspa_age,
            self.survivor,
        )
        housing = HousingInputs(
            self.tenure, table.zone.astype(np.int64), self.apl_zone, self.rent_area, self.index_ratio
        )
        aspa = aspa_indexed(self.year, self.month, self.pension_params)
        index, living = standard_of_living(
            inputs, housing, self.rent_table, aspa, self.year, self.month, which
        )
        self.living[index] = living
        r.income[:] = np.where(r.household >= 0, 12.0 * self.living[r.household], 0.0).astype(np.float32)
        self.computed = int(index.size)

    @staticmethod
    def alone_shares(residents: Residents) -> np.ndarray:
        """Share of retired men and of retired women who live without another adult (dependants,
        the under-18s and 18-24 year-olds in education, are not adults)."""
        r = residents
        age = r.age_months // 12
        dependant = (age < 18) | ((age < 25) & (r.status == Status.IN_EDUCATION))
        adult = r.present() & ~dependant
        adults = np.bincount(r.household[adult], minlength=int(r.household.max()) + 1)
        alone = adults[r.household] == 1
        retired = r.status == Status.RETIRED
        return np.array(
            [
                alone[retired & (r.sex == sex)].mean() if np.any(retired & (r.sex == sex)) else 1.0
                for sex in (0, 1)
            ]
        )

    @property
    def nbytes(self) -> int:
        """Memory of the per-resident and per-household state: the income state, last month's
        statuses, the households' tenures and standards of living, bytes."""
        arrays = (*self.state, self.previous_status, self.tenure, self.living)
        return sum(array.nbytes for array in arrays)

    def earnings_of_employed(self, residents: Residents) -> np.ndarray:
        """Net monthly pay of the employed residents."""
        return self.state.earnings[residents.status == Status.EMPLOYED]

    @staticmethod
    def _pension_index(year: int) -> float:
        return (1.0 + PENSION_INDEXATION) ** max(year - PENSION_TABLE_YEAR, 0)


def zone_medians(values: np.ndarray, zone: np.ndarray, n_zones: int) -> np.ndarray:
    """Median of `values` in each zone."""
    order = np.lexsort((values, zone))
    bounds = np.searchsorted(zone[order], np.arange(n_zones + 1))
    sorted_values = values[order].astype(float)
    return np.array(
        [np.median(sorted_values[a:b]) if b > a else np.nan for a, b in itertools.pairwise(bounds)]
    )
