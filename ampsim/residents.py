"""Residents as a struct of typed arrays: one array per attribute, one entry per simulated resident.

At full scale there are 1.94 million residents; a Python object each would cost far more time and
memory than the model can afford, so every per-resident process works on these arrays in Numba
kernels. Dtypes are the smallest that hold each attribute.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np


class Sex(IntEnum):
    MALE = 0
    FEMALE = 1


class Status(IntEnum):
    """Labour status, as in the census (plus training, which the model adds)."""

    EMPLOYED = 0
    UNEMPLOYED = 1
    INACTIVE = 2  # neither working, looking for work, studying nor retired
    IN_EDUCATION = 3  # pupils and students, children under 15 included
    IN_TRAINING = 4  # vocational training for jobseekers and NEETs
    RETIRED = 5


class Education(IntEnum):
    """Highest diploma (for those still studying: the level they are heading for)."""

    LOW = 0  # no diploma, primary certificate or brevet
    VOCATIONAL = 1  # CAP, BEP
    SECONDARY = 2  # baccalauréat
    TERTIARY = 3  # higher education


@dataclass(eq=False)
class Residents:
    """Simulated residents; `weight` is the number of real people each one stands for."""

    weight: float
    zone: np.ndarray  # uint8: zone index (0..106)
    home_cell: np.ndarray  # uint16 (uint32 on very fine grids): territory cell number
    age_months: np.ndarray  # uint16
    sex: np.ndarray  # uint8, Sex
    education: np.ndarray  # uint8, Education
    status: np.ndarray  # uint8, Status
    income: np.ndarray  # float32: disposable income per consumption unit, €/year

    def __post_init__(self) -> None:
        n = self.zone.size
        for name, array in self.arrays().items():
            if array.ndim != 1 or array.size != n:
                raise ValueError(f"resident array {name!r} has shape {array.shape}, expected ({n},)")

    @property
    def n(self) -> int:
        """Number of simulated residents."""
        return int(self.zone.size)

    def arrays(self) -> dict[str, np.ndarray]:
        """The per-resident arrays by name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "weight"}

    @property
    def nbytes(self) -> int:
        """Memory held by the per-resident arrays, bytes."""
        return sum(array.nbytes for array in self.arrays().values())

    @property
    def bytes_per_resident(self) -> float:
        return self.nbytes / max(self.n, 1)

    def age_years(self) -> np.ndarray:
        return self.age_months // 12
