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

from ampsim.core.seeds import ReplicateSeeds
from ampsim.submodels.income.earnings import (
    EarningsParameters,
    build_earnings_table,
    draw_earnings,
    net_smic,
)
from ampsim.submodels.income.household_income import (
    HouseholdInputs,
    HousingInputs,
    IncomeState,
    aggregate_kernel,
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
from ampsim.submodels.income.pensions import PensionParameters, aspa_amounts, draw_pensions, fit_pension_table
from ampsim.submodels.income.taxbenefit import poverty_line
from ampsim.world.residents import Residents, Status
from ampsim.world.territory import Territory

FILOSOFI_YEAR = 2021
PENSION_TABLE_YEAR = 2024  # the pension table is in December 2023 euros
PENSION_INDEXATION = 0.015  # a year, after 2023: modelling assumption (the legislation file's rate)
CALIBRATION_ROUNDS = 6
CALIBRATION_GAIN = 1.3  # pay moves the standard of living less than one for one (benefits, tax)


class Incomes:
    """Pay, pensions, ARE and households' standard of living; `income` of the residents."""

    def __init__(
        self,
        earnings: EarningsParameters | None = None,
        pensions: PensionParameters | None = None,
        housing: HousingCostParameters | None = None,
    ):
        self.earnings_params = earnings or EarningsParameters()
        self.pension_params = pensions or PensionParameters()
        self.rent_table = rent_table(housing or HousingCostParameters())

    # --- the start ------------------------------------------------------------------------
    def setup(
        self,
        residents: Residents,
        household: np.ndarray,
        n_households: int,
        territory: Territory,
        seeds: ReplicateSeeds,
        year: int,
        month: int = 1,
    ) -> None:
        """Pay, pensions and tenures drawn; zone levels fitted; every household computed."""
        self.year, self.month = year, month
        self.earnings_table = build_earnings_table(self.earnings_params, year, month)
        self.pension_table = fit_pension_table(self.pension_params, self._pension_index(year))
        self.state = self._initial_state(residents, seeds)
        self.housing = self._housing(residents, household, n_households, territory, seeds)
        self.zone_level = np.ones(territory.n_zones)
        self.target = self.filosofi_targets(territory, year)
        self.calibrate(residents, household, n_households)
        self.previous_status = residents.status.copy()
        self.previous_months = residents.months_in_status.copy()

    def _initial_state(self, residents: Residents, seeds: ReplicateSeeds) -> IncomeState:
        r, n = residents, residents.n
        state = empty_state(n)
        draws = seeds.generator("income.initial").random((n, 3))
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
        return state

    def _housing(
        self, residents: Residents, household: np.ndarray, n_households: int, territory: Territory, seeds
    ) -> HousingInputs:
        household_zone = np.zeros(n_households, dtype=np.int64)
        household_zone[household] = residents.zone
        tenure = draw_tenures(
            seeds.generator("income.tenure").random(n_households), household_zone, territory, self.rent_table
        )
        _, area = zone_areas(territory)
        return HousingInputs(
            tenure, household_zone, zone_apl_zones(territory), area, np.ones(territory.n_zones)
        )

    @staticmethod
    def filosofi_targets(territory: Territory, year: int) -> np.ndarray:
        """Each zone's Filosofi 2021 median standard of living (€/year per consumption unit),
        carried to `year` with the poverty line (the same index as the poverty threshold)."""
        ratio = poverty_line(year) / poverty_line(FILOSOFI_YEAR)
        return territory.zones["median_income_eur"].to_numpy(float) * ratio

    def calibrate(self, residents: Residents, household: np.ndarray, n_households: int) -> None:
        """Fit the zone levels: each round scales the zone's pay and pensions by its ratio of
        target to median standard of living (raised to a gain, since benefits and tax damp the
        response), then computes every household again."""
        r = residents
        for _ in range(CALIBRATION_ROUNDS):
            self.update_incomes(residents, household, n_households)
            medians = zone_medians(r.income, r.zone, self.zone_level.size)
            step = (self.target / medians) ** CALIBRATION_GAIN
            self.zone_level *= step
            self.state.earnings[:] *= step[r.zone].astype(np.float32)
            self.state.pension[:] *= step[r.zone].astype(np.float32)
        self.update_incomes(residents, household, n_households)

    # --- every month ----------------------------------------------------------------------
    def step(
        self,
        residents: Residents,
        household: np.ndarray,
        n_households: int,
        key: np.uint64,
        replaced: np.ndarray,
        year: int,
        month: int,
        rent_index_ratio: np.ndarray,
    ) -> int:
        """Follow the month's changes; compute the households whose inputs changed (all of them
        in January, with the year's rules and rents). Returns how many were computed."""
        r = residents
        smic_growth = net_smic(year, month) / net_smic(self.year, self.month)
        self.earnings_table = self.earnings_table._replace(
            level_index=self.earnings_table.level_index * smic_growth, net_smic=net_smic(year, month)
        )
        dirty = np.zeros(n_households, dtype=np.bool_)
        reconcile_kernel(
            key,
            r.kernel_view(),
            self.previous_status,
            self.previous_months,
            replaced,
            self.zone_level,
            float(parameters_at(year, month)["wage.net_to_gross"]),
            smic_growth,
            self.earnings_table,
            self.pension_table,
            self.state,
            household,
            dirty,
        )
        self.previous_status[:] = r.status
        self.previous_months[:] = r.months_in_status
        self.year, self.month = year, month
        which = None
        if month == 1:
            self.pension_table = self.pension_table._replace(level_index=self._pension_index(year))
            self.housing = self.housing._replace(index_ratio=rent_index_ratio)
        else:
            which = np.flatnonzero(dirty)
        return self.update_incomes(residents, household, n_households, which)

    def update_incomes(
        self, residents: Residents, household: np.ndarray, n_households: int, which: np.ndarray | None = None
    ) -> int:
        """Compute the households `which` (all when None) and give their members their income."""
        inputs = self.household_inputs(residents, household, n_households)
        aspa = aspa_amounts(self.year, self.month, self.pension_params)
        index, living = standard_of_living(
            inputs, self.housing, self.rent_table, aspa, self.year, self.month, which
        )
        if which is None:
            self.living = np.zeros(n_households)
        elif self.living.size < n_households:
            self.living = np.concatenate([self.living, np.zeros(n_households - self.living.size)])
        self.living[index] = living
        residents.income[:] = (12.0 * self.living[household]).astype(np.float32)
        return int(index.size)

    def household_inputs(
        self, residents: Residents, household: np.ndarray, n_households: int
    ) -> HouseholdInputs:
        """Every household's calculator inputs from its members."""
        return aggregate_kernel(
            residents.kernel_view(), self.state, household, n_households, self.pension_params.aspa_age
        )

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
