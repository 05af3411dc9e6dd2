"""Residents as a struct of typed arrays: one array per attribute, one entry per simulated resident.

At full scale there are 1.94 million residents; a Python object each would cost far more time and
memory than the model can afford, so every per-resident process works on these arrays in Numba
kernels. Dtypes are the smallest that hold each attribute.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba import njit


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
    ABSENT = 6  # a free slot: nobody lives there (the metropolis is open; see `with_free_slots`)


NO_HOUSEHOLD = -1  # household of a free slot
NO_ZONE = 255  # work_zone of residents without a job, or whose job is outside the metropolis
ARRIVED = 128  # origin of an arrival since the start: ARRIVED + the zone whose traits they carry
NO_EMPLOYER = -1  # employer of residents without a job
INCUMBENT = 0  # employer of residents working for an established (non-startup) employer
OUTSIDE = -2  # employer of residents working outside the metropolis (out-commuters; work_zone NO_ZONE)


class Education(IntEnum):
    """Highest diploma (for those still studying: the level they are heading for)."""

    LOW = 0  # no diploma, primary certificate or brevet
    VOCATIONAL = 1  # CAP, BEP
    SECONDARY = 2  # baccalauréat
    TERTIARY = 3  # higher education


class ResidentArrays(NamedTuple):
    """The per-resident arrays as one typed bundle, the form in which kernels take them: one
    argument instead of sixteen, and no same-dtype pair to swap by mistake. Same fields and order
    as `Residents` (see there for dtypes and meanings).

    Numba caveat (0.68): inside `prange`, a write through a field (`r.income[i] = ...`) is lost
    silently, even through an inlined helper, and so is a write to an array taken out of any tuple
    (`a, b, c, d = r.a, r.b, r.c, r.d` builds one). Parallel kernels therefore unpack the arrays
    they use before any `prange`, one plain assignment per line (`income = r.income`), and pass
    those locals to helpers that write; serial kernels may use the fields directly. Reading a
    field inside `prange` is safe. tests/test_kernel_bundles.py checks every kernel."""

    zone: np.ndarray
    home_cell: np.ndarray
    household: np.ndarray
    age_months: np.ndarray
    sex: np.ndarray
    education: np.ndarray
    status: np.ndarray
    income: np.ndarray
    months_in_status: np.ndarray
    work_zone: np.ndarray
    employer: np.ndarray
    car: np.ndarray
    awareness: np.ndarray
    trained: np.ndarray
    origin: np.ndarray
    exposure_no2: np.ndarray
    exposure_pm25: np.ndarray


@dataclass(eq=False)
class Residents:
    """Simulated residents; `weight` is the number of real people each one stands for."""

    weight: float
    zone: np.ndarray  # uint8: zone index (0..106)
    home_cell: np.ndarray  # uint16 (uint32 on very fine grids): territory cell number
    household: np.ndarray  # int32: row of the household table (`HouseholdTable`) the resident lives in
    age_months: np.ndarray  # uint16
    sex: np.ndarray  # uint8, Sex
    education: np.ndarray  # uint8, Education
    status: np.ndarray  # uint8, Status
    income: np.ndarray  # float32: disposable income per consumption unit, €/year
    months_in_status: np.ndarray  # uint8: months since the last status change (saturates at 255)
    work_zone: np.ndarray  # uint8: zone of the job, NO_ZONE when not employed or employed OUTSIDE
    employer: np.ndarray  # int32: NO_EMPLOYER, INCUMBENT, OUTSIDE or a startup's unique_id
    car: np.ndarray  # uint8: 1 if the resident commutes by car
    awareness: np.ndarray  # uint8: air-quality awareness, 0..255 for 0..1
    trained: np.ndarray  # uint8: 1 after completing a training course, until the next job
    # uint8: the zone whose calibrated traits (job-search multiplier, pay level) the resident
    # carries wherever they live: their zone at the start, their mother's for a newborn; for an
    # arrival since the start, ARRIVED + the zone they were drawn for; NO_ZONE (the metro's
    # average, `by_origin`) for a slot nobody has taken yet
    origin: np.ndarray
    exposure_no2: np.ndarray  # float32: cumulative NO2 at home since the start, µg/m³ x months
    exposure_pm25: np.ndarray  # float32: cumulative PM2.5 at home since the start, µg/m³ x months

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

    def kernel_view(self) -> ResidentArrays:
        """The arrays as one bundle for the kernels: the same arrays, not copies (kernels write
        through it). Built once, and again after an array is replaced (see `__setattr__`)."""
        view = self.__dict__.get("_kernel_view")
        if view is None:
            view = self.__dict__["_kernel_view"] = ResidentArrays(**self.arrays())
        return view

    def __setattr__(self, name: str, value: object) -> None:
        """Replacing an array drops the kernels' bundle, which would still hold the old one."""
        super().__setattr__(name, value)
        self.__dict__.pop("_kernel_view", None)

    @property
    def nbytes(self) -> int:
        """Memory held by the per-resident arrays, bytes."""
        return sum(array.nbytes for array in self.arrays().values())

    @property
    def bytes_per_resident(self) -> float:
        return self.nbytes / max(self.n, 1)

    def age_years(self) -> np.ndarray:
        return self.age_months // 12

    def settle_origins(self) -> None:
        """Every resident carries the calibrated traits of the zone they live in now: each month
        of the spin-up, where the zones' traits are fitted on their residents (from the start,
        origins stay as they are)."""
        present = self.present()
        self.origin[present] = self.zone[present]

    def present(self) -> np.ndarray:
        """Slots that hold a resident (bool): every slot but the free ones."""
        return self.status != Status.ABSENT

    @property
    def n_present(self) -> int:
        """Number of simulated residents living in the metropolis this month."""
        return int(np.count_nonzero(self.present()))


def with_free_slots(residents: Residents, margin: float) -> Residents:
    """The residents followed by `margin` x their number of free slots (status ABSENT, no
    household, no job), which arrivals and births take: the arrays never move, so a slot's
    random draws stay its own, and the population can grow up to the capacity."""
    extra = int(np.ceil(margin * residents.n))
    free = {
        "zone": np.zeros(extra, dtype=residents.zone.dtype),
        "home_cell": np.full(
            extra, residents.home_cell[0] if residents.n else 0, dtype=residents.home_cell.dtype
        ),
        "household": np.full(extra, NO_HOUSEHOLD, dtype=residents.household.dtype),
        "status": np.full(extra, Status.ABSENT, dtype=residents.status.dtype),
        "work_zone": np.full(extra, NO_ZONE, dtype=residents.work_zone.dtype),
        "employer": np.full(extra, NO_EMPLOYER, dtype=residents.employer.dtype),
        "origin": np.full(extra, NO_ZONE, dtype=residents.origin.dtype),
    }
    arrays = {
        name: np.concatenate([array, free.get(name, np.zeros(extra, dtype=array.dtype))])
        for name, array in residents.arrays().items()
    }
    return Residents(weight=residents.weight, **arrays)


def labour_defaults(n: int) -> dict[str, np.ndarray]:
    """Arrays for the attributes that start empty: no job, no car, no awareness, no exposure, the
    metro's average traits (the population sets each resident's origin to their zone)."""
    return {
        "months_in_status": np.zeros(n, dtype=np.uint8),
        "work_zone": np.full(n, NO_ZONE, dtype=np.uint8),
        "employer": np.full(n, NO_EMPLOYER, dtype=np.int32),
        "car": np.zeros(n, dtype=np.uint8),
        "awareness": np.zeros(n, dtype=np.uint8),
        "trained": np.zeros(n, dtype=np.uint8),
        "origin": np.full(n, NO_ZONE, dtype=np.uint8),
        "exposure_no2": np.zeros(n, dtype=np.float32),
        "exposure_pm25": np.zeros(n, dtype=np.float32),
    }


def by_origin(values: np.ndarray, average: float) -> np.ndarray:
    """A zone table read by origin (`Residents.origin`): zone z's value for the codes z and
    ARRIVED + z, `average` for NO_ZONE (so a kernel indexes it with the uint8 origin directly)."""
    values = np.asarray(values, dtype=float)
    table = np.full(NO_ZONE + 1, float(average))
    table[: values.size] = values
    table[ARRIVED : ARRIVED + values.size] = values
    return table


def arrived_since_start(origin: np.ndarray) -> np.ndarray:
    """Whether each origin code is an arrival's since the start (bool)."""
    return np.asarray(origin) >= ARRIVED


@njit(cache=True)
def reset_slot(r, i, status):  # pragma: no cover - compiled
    """Slot i starts afresh in `status` (a newcomer's, or ABSENT when its resident leaves): no
    job, car, awareness, course mark, exposure nor income; the caller sets the rest. Serial
    kernels only (it writes through the bundle `r`, see ResidentArrays)."""
    r.status[i] = status
    r.months_in_status[i] = 0
    r.work_zone[i] = NO_ZONE
    r.employer[i] = NO_EMPLOYER
    r.car[i] = 0
    r.awareness[i] = 0
    r.trained[i] = 0
    r.origin[i] = NO_ZONE
    r.exposure_no2[i] = 0.0
    r.exposure_pm25[i] = 0.0
    r.income[i] = 0.0


@njit(cache=True, inline="always")
def change_status(
    i: int,
    new_status: int,
    status: np.ndarray,
    months_in_status: np.ndarray,
) -> None:
    """Every status change goes through here: the duration restarts (the household's income
    follows at the month's income step, `ampsim/submodels/income/incomes.py`). It takes the arrays
    it writes rather than the bundle, since parallel kernels call it inside `prange` (see
    `ResidentArrays`)."""
    if status[i] != new_status:
        status[i] = new_status
        months_in_status[i] = 0
