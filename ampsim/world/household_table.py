"""The model's households: a table of rows with a free list, kept beside the residents.

Each resident's `household` is a row of this table. A row holds the household's zone, home cell
(its dwelling: every member lives there), kind, member count and lowest member slot (`head`,
whose draws decide for the household), and the members as a linked list through the residents
(`first`, `next_member`). Rows of households that disappear go to the free list and are reused.
The Numba helpers at the end change membership one resident at a time; they are serial (the
household passes run after the parallel kernels), so every run gives the same table whatever the
number of threads. Counts of adults or children change as people age and are recomputed when
needed (`bincount` on the residents' `household`) rather than stored.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from ampsim.world.household_kernels import ADULT_AGE, HouseholdKind
from ampsim.world.households import Households
from ampsim.world.residents import NO_HOUSEHOLD, Residents

# NO_HOUSEHOLD (-1) is also the `head` and `first` of a free row and the `next_member` of a
# list's last member
PARENT_GAP = 16  # years: a member this much younger than the oldest is a child of the household
YOUNG_CHILD_AGE = 3  # years: an adult child does not leave a household with a younger child (theirs?)
_BY_ROW = ("zone", "home_cell", "kind", "size")
_ONE_PERSON, _COUPLE, _COUPLE_WITH_CHILDREN, _SINGLE_PARENT, _OTHER = (int(k) for k in HouseholdKind)


class HouseholdArrays(NamedTuple):
    """The table as the kernels take it (the same arrays, not copies)."""

    zone: np.ndarray  # uint8, by row
    home_cell: np.ndarray  # the residents' home-cell dtype, by row
    kind: np.ndarray  # uint8, HouseholdKind
    size: np.ndarray  # uint16: members (0 for a free row)
    head: np.ndarray  # int32: lowest member slot
    first: np.ndarray  # int32: first member slot of the linked list
    next_member: np.ndarray  # int32, by resident: the next member of the same household
    free: np.ndarray  # int32: free rows, a stack (free[:n_free[0]])
    n_free: np.ndarray  # int64, one entry


class HouseholdTable:
    """Households as rows with a capacity and a free list (see the module docstring)."""

    def __init__(self, arrays: HouseholdArrays):
        self._arrays = arrays

    @classmethod
    def from_formed(cls, residents: Residents, formed: Households) -> HouseholdTable:
        """The table of the households formed at initialisation (`form_households`): row h is
        household h; the capacity leaves a quarter more rows free."""
        n_rows = formed.n
        capacity = max(n_rows + n_rows // 4, 16)
        household = residents.household
        size = np.zeros(capacity, dtype=np.uint16)
        size[:n_rows] = formed.size
        head = np.full(capacity, NO_HOUSEHOLD, dtype=np.int32)
        first = np.full(capacity, NO_HOUSEHOLD, dtype=np.int32)
        next_member = np.full(residents.n, NO_HOUSEHOLD, dtype=np.int32)
        _link_members(household, head, first, next_member)
        home_cell = np.zeros(capacity, dtype=residents.home_cell.dtype)
        home_cell[:n_rows] = residents.home_cell[head[:n_rows]]  # members share it (population.py)
        n_free = capacity - n_rows
        free = np.zeros(capacity, dtype=np.int32)
        free[:n_free] = np.arange(capacity - 1, n_rows - 1, -1)  # a stack: the lowest rows on top
        arrays = HouseholdArrays(
            zone=_padded(formed.zone, capacity, np.uint8),
            home_cell=home_cell,
            kind=_padded(formed.kind, capacity, np.uint8),
            size=size,
            head=head,
            first=first,
            next_member=next_member,
            free=free,
            n_free=np.array([n_free], dtype=np.int64),
        )
        return cls(arrays)

    # --- the kernels' view and its capacity ----------------------------------------------
    def arrays(self) -> HouseholdArrays:
        """The arrays for the kernels (replaced when the capacity grows: take them afresh)."""
        return self._arrays

    def reserve(self, rows: int) -> HouseholdArrays:
        """Make sure `rows` more households can open, growing the table if needed; returns the
        arrays to hand to the kernels."""
        a = self._arrays
        available = int(a.n_free[0])
        if available >= rows:
            return a
        old = a.size.size
        new = max(2 * old, old + rows - available)
        grown = {name: _padded(getattr(a, name), new, getattr(a, name).dtype) for name in _BY_ROW}
        head = _padded(a.head, new, np.int32, fill=NO_HOUSEHOLD)
        first = _padded(a.first, new, np.int32, fill=NO_HOUSEHOLD)
        free = np.empty(new, dtype=np.int32)
        free[: new - old] = np.arange(new - 1, old - 1, -1, dtype=np.int32)  # new rows below
        free[new - old : new - old + available] = a.free[:available]  # the old free rows on top
        self._arrays = HouseholdArrays(
            **grown, head=head, first=first, next_member=a.next_member, free=free,
            n_free=np.array([new - old + available], dtype=np.int64),
        )  # fmt: skip
        return self._arrays

    # --- what indicators and tests read ----------------------------------------------------
    @property
    def capacity(self) -> int:
        return int(self._arrays.size.size)

    def occupied(self) -> np.ndarray:
        """Rows that hold a household (bool, by row)."""
        return self._arrays.size > 0

    def n_households(self) -> int:
        """Number of households (simulated; times the residents' weight for real households)."""
        return int(np.count_nonzero(self._arrays.size))

    def mean_size(self) -> float:
        """Members per household."""
        sizes = self._arrays.size
        return float(sizes.sum(dtype=np.int64)) / max(self.n_households(), 1)

    def kind_counts(self) -> np.ndarray:
        """Households of each `HouseholdKind` (5,)."""
        occupied = self.occupied()
        return np.bincount(self._arrays.kind[occupied], minlength=len(HouseholdKind))

    def counts_by_zone(self, n_zones: int) -> np.ndarray:
        """Households per zone (n_zones,)."""
        occupied = self.occupied()
        return np.bincount(self._arrays.zone[occupied], minlength=n_zones)

    def members(self, row: int) -> np.ndarray:
        """Slots of the members of one household, in list order."""
        return _members(self._arrays.first, self._arrays.next_member, row)

    @property
    def nbytes(self) -> int:
        """Memory held by the table, bytes (the member links count one int32 per resident)."""
        return sum(array.nbytes for array in self._arrays)

    def problems(self, residents: Residents) -> list[str]:
        """What is inconsistent between the table and the residents (empty when all is well):
        every resident in an occupied row, sizes, heads and member lists that agree with the
        residents' `household`, and members who share their household's zone and home cell."""
        a = self._arrays
        present = residents.present()
        if np.any(residents.household[~present] != NO_HOUSEHOLD):
            return ["free slots that belong to a household"]
        household = np.where(present, residents.household, a.size.size)  # free slots: one past
        found = []
        if household[present].min(initial=0) < 0 or household[present].max(initial=0) >= a.size.size:
            return [f"household numbers outside 0..{a.size.size - 1}"]
        counts = np.bincount(household, minlength=a.size.size + 1)[:-1]
        if not np.array_equal(counts, a.size):
            found.append(f"{np.count_nonzero(counts != a.size)} rows whose size is not their member count")
        listed = _list_counts(a.first, a.next_member, household)
        if not np.array_equal(listed, counts):
            found.append(f"{np.count_nonzero(listed != counts)} rows whose member list is not `household`'s")
        heads = np.full(a.size.size + 1, np.iinfo(np.int32).max, dtype=np.int64)
        np.minimum.at(heads, household, np.arange(household.size))
        occupied = counts > 0
        if not np.array_equal(heads[:-1][occupied], a.head[occupied]):
            found.append("heads are not the lowest member slots")
        rows = household[present]
        away = np.count_nonzero(a.zone[rows] != residents.zone[present])
        if away:
            found.append(f"{away} residents outside their household's zone")
        elsewhere = np.count_nonzero(a.home_cell[rows] != residents.home_cell[present])
        if elsewhere:
            found.append(f"{elsewhere} residents not in their household's home cell")
        free = set(a.free[: int(a.n_free[0])].tolist())
        if free != set(np.flatnonzero(~occupied).tolist()):
            found.append("the free list is not the set of empty rows")
        return found


def _padded(array: np.ndarray, capacity: int, dtype, fill: int = 0) -> np.ndarray:
    """`array` copied into the start of an array of `capacity` entries."""
    out = np.full(capacity, fill, dtype=dtype)
    out[: array.size] = array
    return out


@njit(cache=True)
def _link_members(household, head, first, next_member):  # pragma: no cover - compiled
    """Member lists and heads from every resident's household (slots in descending order, so
    that each list starts with its head)."""
    for i in range(household.size - 1, -1, -1):
        h = household[i]
        if h < 0:  # a free slot
            continue
        next_member[i] = first[h]
        first[h] = i
        head[h] = i


@njit(cache=True)
def _members(first, next_member, row):  # pragma: no cover - compiled
    """The member slots of one row, in list order."""
    count = 0
    m = first[row]
    while m >= 0:
        count += 1
        m = next_member[m]
    out = np.empty(count, dtype=np.int32)
    m = first[row]
    for k in range(count):
        out[k] = m
        m = next_member[m]
    return out


@njit(cache=True)
def _list_counts(first, next_member, household):  # pragma: no cover - compiled
    """Members found by walking each row's list, counting only those whose `household` is the
    row (a list that runs into another household's member stops counting there)."""
    counts = np.zeros(first.size, dtype=np.int64)
    for h in range(first.size):
        m = first[h]
        steps = 0
        while m >= 0 and steps <= household.size:
            if household[m] != h:
                break
            counts[h] += 1
            m = next_member[m]
            steps += 1
    return counts


# --- membership changes, one resident at a time (serial kernels call these) ------------------
@njit(cache=True)
def open_household(hh, zone, home_cell, kind):  # pragma: no cover - compiled
    """A new, empty household row in `zone` at `home_cell` (the caller reserved the rows)."""
    k = hh.n_free[0] - 1
    hh.n_free[0] = k
    h = hh.free[k]
    hh.zone[h] = zone
    hh.home_cell[h] = home_cell
    hh.kind[h] = kind
    hh.size[h] = 0
    hh.head[h] = NO_HOUSEHOLD
    hh.first[h] = NO_HOUSEHOLD
    return h


@njit(cache=True)
def close_household(hh, h):  # pragma: no cover - compiled
    """Return an empty row to the free list."""
    hh.size[h] = 0
    hh.head[h] = NO_HOUSEHOLD
    hh.first[h] = NO_HOUSEHOLD
    k = hh.n_free[0]
    hh.free[k] = h
    hh.n_free[0] = k + 1


@njit(cache=True)
def join(hh, household, zone, home_cell, i, h):  # pragma: no cover - compiled
    """Resident i joins household h: listed, counted, and living in its zone and home cell."""
    hh.next_member[i] = hh.first[h]
    hh.first[h] = i
    hh.size[h] += 1
    if hh.head[h] < 0 or i < hh.head[h]:
        hh.head[h] = i
    household[i] = h
    zone[i] = hh.zone[h]
    home_cell[i] = hh.home_cell[h]


@njit(cache=True)
def leave(hh, household, i):  # pragma: no cover - compiled
    """Resident i leaves their household (its row stays, possibly empty); returns the row."""
    h = household[i]
    previous = NO_HOUSEHOLD
    m = hh.first[h]
    while m != i:
        previous = m
        m = hh.next_member[m]
    if previous < 0:
        hh.first[h] = hh.next_member[i]
    else:
        hh.next_member[previous] = hh.next_member[i]
    hh.next_member[i] = NO_HOUSEHOLD
    hh.size[h] -= 1
    if hh.head[h] == i:
        lowest = NO_HOUSEHOLD
        m = hh.first[h]
        while m >= 0:
            if lowest < 0 or m < lowest:
                lowest = m
            m = hh.next_member[m]
        hh.head[h] = lowest
    household[i] = NO_HOUSEHOLD
    return h


@njit(cache=True)
def oldest_age(hh, age_months, h):  # pragma: no cover - compiled
    """Age in years of the oldest member of household h (-1 if empty)."""
    oldest = -1
    m = hh.first[h]
    while m >= 0:
        oldest = max(oldest, age_months[m] // 12)
        m = hh.next_member[m]
    return oldest


@njit(cache=True)
def lives_with_partner(i, household, age_months, hh):  # pragma: no cover - compiled
    """Whether resident i lives with a partner: in a couple's household (with or without
    children), and not as one of its children (16 or more years younger than its oldest)."""
    h = household[i]
    if h < 0:
        return False
    kind = hh.kind[h]
    if kind != _COUPLE and kind != _COUPLE_WITH_CHILDREN:
        return False
    return age_months[i] // 12 > oldest_age(hh, age_months, h) - PARENT_GAP


def lives_with_partner_array(residents: Residents, hh: HouseholdArrays) -> np.ndarray:
    """`lives_with_partner` of every slot (bool)."""
    return _lives_with_partner_all(residents.household, residents.age_months, hh)


@njit(cache=True)
def _lives_with_partner_all(household, age_months, hh):  # pragma: no cover - compiled
    out = np.zeros(household.size, dtype=np.bool_)
    for i in range(household.size):
        out[i] = lives_with_partner(i, household, age_months, hh)
    return out


@njit(cache=True)
def age_span(hh, age_months, h):  # pragma: no cover - compiled
    """Ages in years of the oldest and youngest members of household h."""
    oldest, youngest = -1, 1 << 16
    m = hh.first[h]
    while m >= 0:
        age = age_months[m] // 12
        oldest, youngest = max(oldest, age), min(youngest, age)
        m = hh.next_member[m]
    return oldest, youngest


@njit(cache=True)
def age_spans(household, age_months, n_rows):  # pragma: no cover - compiled
    """Ages in years of the oldest and youngest members of every household row, in one pass over
    the residents (free slots and empty rows left at -1 and 65536)."""
    oldest = np.full(n_rows, -1, dtype=np.int32)
    youngest = np.full(n_rows, 1 << 16, dtype=np.int32)
    for i in range(household.size):
        h = household[i]
        if h < 0:
            continue
        age = age_months[i] // 12
        if age > oldest[h]:
            oldest[h] = age
        if age < youngest[h]:
            youngest[h] = age
    return oldest, youngest


@njit(cache=True)
def has_adult(hh, age_months, h):  # pragma: no cover - compiled
    """Whether household h has a member aged 18 or more."""
    return oldest_age(hh, age_months, h) >= ADULT_AGE


@njit(cache=True)
def reclassify(hh, age_months, h):  # pragma: no cover - compiled
    """The kind of household h after members came or went: one member is ONE_PERSON; an OTHER
    household stays OTHER; children are the members at least 16 years younger than the oldest;
    with none, two members of a couple or a one-person household are a COUPLE and anything else
    OTHER; with children, one other member makes a SINGLE_PARENT family and more a
    COUPLE_WITH_CHILDREN (a single-parent family stays one)."""
    n = hh.size[h]
    if n == 0:
        return
    if n == 1:
        hh.kind[h] = _ONE_PERSON
        return
    kind = hh.kind[h]
    if kind == _OTHER:
        return
    oldest = oldest_age(hh, age_months, h)
    children = 0
    m = hh.first[h]
    while m >= 0:
        if age_months[m] // 12 <= oldest - PARENT_GAP:
            children += 1
        m = hh.next_member[m]
    if children == 0:
        hh.kind[h] = _COUPLE if (n == 2 and kind != _SINGLE_PARENT) else _OTHER
    elif n - children == 1:
        hh.kind[h] = _SINGLE_PARENT
    elif kind != _SINGLE_PARENT:
        hh.kind[h] = _COUPLE_WITH_CHILDREN
