"""Income and poverty.

A resident's income is the disposable income per consumption unit of their household. It starts
from the zone's Filosofi distribution (see the population) and moves when the resident's status
changes, by the ratio of the statuses' income factors: losing a job lowers the household's
standard of living by about a fifth once benefits and other members' income are counted. Poverty
is an income below 60 % of the national median standard of living.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ampsim.core.parameters import ASSUMPTION, ParameterGroup, parameter
from ampsim.world.residents import Status
from ampsim.world.territory import POVERTY_THRESHOLD_EUR


class IncomeParameters(ParameterGroup):
    """Household income per consumption unit by the resident's status."""

    factor_unemployed: float = parameter(
        0.80,
        unit="1",
        gt=0,
        le=2,
        source="unemployment insurance replaces about 57-75 % of the net wage of the person, "
        "diluted by other household income; modelling assumption",
        description="household income when unemployed, relative to employed",
    )
    factor_inactive: float = parameter(
        0.80,
        unit="1",
        gt=0,
        le=2,
        source=ASSUMPTION,
        description="household income when inactive, relative to employed",
    )
    factor_in_training: float = parameter(
        0.85,
        unit="1",
        gt=0,
        le=2,
        source="trainees keep unemployment benefits or receive a training allowance; modelling assumption",
        description="household income when in training, relative to employed",
    )
    factor_in_education: float = parameter(
        1.0,
        unit="1",
        gt=0,
        le=2,
        source=ASSUMPTION,
        description="household income of pupils and students (their household's), relative to employed",
    )
    factor_retired: float = parameter(
        0.95,
        unit="1",
        gt=0,
        le=2,
        source=ASSUMPTION,
        description="household income when retired, relative to employed",
    )
    poverty_threshold: float = parameter(
        POVERTY_THRESHOLD_EUR,
        unit="€/year per consumption unit",
        gt=0,
        source="60 % of the national median standard of living, 1,158 €/month, INSEE Filosofi 2021",
        description="poverty threshold",
    )


def status_income_factors(params: IncomeParameters) -> np.ndarray:
    """Income factor of each status, indexed by Status value."""
    factors = np.empty(len(Status))
    factors[Status.EMPLOYED] = 1.0
    factors[Status.UNEMPLOYED] = params.factor_unemployed
    factors[Status.INACTIVE] = params.factor_inactive
    factors[Status.IN_EDUCATION] = params.factor_in_education
    factors[Status.IN_TRAINING] = params.factor_in_training
    factors[Status.RETIRED] = params.factor_retired
    return factors


@njit(cache=True, inline="always")
def income_quintile(income: float, edges: np.ndarray) -> int:
    """Income quintile 0-4 from the four quintile edges: the number of edges at or below the income
    (counted without branches, which incomes in random order would mispredict)."""
    return (
        int(edges[0] <= income) + int(edges[1] <= income) + int(edges[2] <= income) + int(edges[3] <= income)
    )
