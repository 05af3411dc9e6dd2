"""Household incomes: the French tax-benefit rules (earnings, ARE, benefits, income tax)."""

from ampsim.submodels.income.grid import GridTable, disposable_income_lookup, grid_table
from ampsim.submodels.income.legislation import load_legislation, parameters_at
from ampsim.submodels.income.taxbenefit import (
    Households,
    TaxBenefitResult,
    calculate,
    compute,
    consumption_units,
    make_households,
    poverty_line,
)

__all__ = [
    "GridTable",
    "Households",
    "TaxBenefitResult",
    "calculate",
    "compute",
    "consumption_units",
    "disposable_income_lookup",
    "grid_table",
    "load_legislation",
    "make_households",
    "parameters_at",
    "poverty_line",
]
