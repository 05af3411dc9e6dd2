"""What a submodel may read of the model: the residents, the territory, the calendar and the
random streams (AMPModel provides it). Submodels annotate against this rather than AMPModel, so
that no mechanism imports the model that assembles them."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ampsim.world.household_table import HouseholdTable
from ampsim.world.residents import Residents
from ampsim.world.territory import Territory


class ModelView(Protocol):
    """What a submodel may read of the model (AMPModel provides it)."""

    residents: Residents
    households: HouseholdTable  # who lives with whom: zone, home cell, kind and size of each household
    territory: Territory
    scale: float
    month: int  # months simulated; negative during the spin-up
    months: int
    start_year: int
    start_month: int
    home_cell_cdf: np.ndarray  # where in its zone a new home is: by income quintile (and any), by cell

    @property
    def year(self) -> int: ...

    @property
    def year_fraction(self) -> float: ...

    @property
    def calendar_month(self) -> int: ...

    def keys(self, purpose: str, month: int | None = None) -> np.uint64: ...

    def seed_generator(self, purpose: str) -> np.random.Generator: ...
