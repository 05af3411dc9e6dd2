"""The Numba kernels that form households zone by zone (see ampsim/world/households.py for the
interface and docs/HOUSEHOLDS.md for the rule). Each zone works from its own residents' pre-drawn
uniforms only, so the result does not depend on the number of threads."""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numba import njit, prange

from ampsim.world.residents import Sex

N_UNIFORMS = 6  # uniform draws per resident (columns of the random input)
MAX_AGE = 120  # ages above are treated as this one
ADULT_AGE = 18


class HouseholdKind(IntEnum):
    """Census household types (INSEE 'Couples-Familles-Ménages')."""

    ONE_PERSON = 0
    COUPLE = 1  # couple without children
    COUPLE_WITH_CHILDREN = 2
    SINGLE_PARENT = 3
    OTHER = 4  # several people, no family


(_P_STUDENTS, _P_MOTHERS, _P_GAP_MIN, _P_GAP_MAX, _P_GAP_MEAN, _P_GAP_SPREAD, _P_COUPLE_MEAN,
 _P_COUPLE_SPREAD, _P_COUPLE_MIN, _P_COUPLE_MAX, _P_SIBLING) = range(11)  # fmt: skip
_N_BUCKETS = 4 * (MAX_AGE + 1)  # (retired, sex, age)
_MALE, _FEMALE = int(Sex.MALE), int(Sex.FEMALE)  # plain ints: Numba's array expressions take no IntEnum
_ONE_PERSON, _COUPLE, _COUPLE_WITH_CHILDREN, _SINGLE_PARENT, _OTHER = (int(k) for k in HouseholdKind)


@njit(cache=True, inline="always")
def _nearest_int(x):
    """x rounded to the nearest integer, halves up."""
    return int(np.floor(x + 0.5))


@njit(cache=True, parallel=True)
def form_all_zones(bounds, age, sex, retired, student, u, shares, mean_size, prm, weights):
    """Every zone's households (zones in parallel, each from its own residents' uniforms):
    zone-local household numbers per resident, kinds per local number, households per zone."""
    n = age.size
    local = np.empty(n, dtype=np.int64)
    kinds = np.zeros(n, dtype=np.uint8)
    n_zones = bounds.size - 1
    counts = np.zeros(n_zones, dtype=np.int64)
    for z in prange(n_zones):
        a, b = bounds[z], bounds[z + 1]
        zone_household = np.empty(b - a, dtype=np.int64)
        zone_kind = np.zeros(b - a, dtype=np.uint8)
        counts[z] = _zone_households(
            age[a:b], sex[a:b], retired[a:b], student[a:b], u[a:b], shares[z], mean_size[z],
            prm, weights, zone_household, zone_kind,
        )  # fmt: skip
        for j in range(b - a):  # plain indexed writes: slices written inside prange can be lost
            local[a + j] = zone_household[j]
            kinds[a + j] = zone_kind[j]
    return local, kinds, counts


@njit(cache=True)
def _zone_households(age, sex, retired, student, u, shares, mean_size, prm, weights, household, kind):
    """One zone: dependants, family households, couples, other and one-person households.
    Writes each resident's local household number and each household's kind; returns the count."""
    m = age.size
    household[:] = -1
    dependant = _choose_dependants(age, retired, student, u, shares, mean_size, prm, weights)
    deps = np.nonzero(dependant)[0]
    pool = np.nonzero(~dependant)[0]
    if pool.size == 0:  # no adult in the zone: its children form one household
        household[:] = 0
        kind[0] = _OTHER
        return 1 if m > 0 else 0
    n_couple, n_cwc, n_sp, n_other = _plan(pool.size, deps.size, shares)
    start, ptr, members = _buckets(pool, age, sex, retired, u)
    used = dependant.copy()
    nh = _families(deps, age, u, n_cwc, n_sp, prm, start, ptr, members, used, household, kind, 0)
    nh = _couples(pool, age, sex, u, n_couple, prm, start, ptr, members, used, household, kind, nh)
    nh = _others(pool, retired, u, n_other, used, household, kind, nh)
    for i in range(m):
        if household[i] < 0:
            household[i] = nh
            kind[nh] = _ONE_PERSON
            nh += 1
    return nh


@njit(cache=True)
def _choose_dependants(age, retired, student, u, shares, mean_size, prm, weights):
    """Children under 18, students 18-24 at home with the set probability, and as many other
    adults (weighted by age) as the census mean size requires; at least one adult stays out."""
    m = age.size
    dependant = age < ADULT_AGE
    adults_per_household = shares[0] + 2.0 * (shares[1] + shares[2] + shares[4]) + shares[3]
    wanted = m - _nearest_int(adults_per_household * m / mean_size) - int(dependant.sum())
    for i in range(m):
        if not dependant[i] and student[i] and age[i] <= 24 and u[i, 0] < prm[_P_STUDENTS]:
            dependant[i] = True
            wanted -= 1
    if wanted > 0:
        candidates = np.nonzero(~dependant & ~retired & ~(student & (age <= 24)) & (weights[age] > 0.0))[0]
        keys = np.log(u[candidates, 0]) / weights[age[candidates]]  # weighted draw without replacement
        best = np.argsort(-keys)
        for j in range(min(wanted, candidates.size)):
            dependant[candidates[best[j]]] = True
    if dependant.all() and (age >= ADULT_AGE).any():  # keep the oldest adult as a householder
        oldest = np.argmax(age)
        dependant[oldest] = False
    return dependant


@njit(cache=True)
def _plan(n_adults, n_dependants, shares):
    """Households of each kind wanted: the census shares of the households that `n_adults`
    householders make, with at least one family when there are dependants, no more families than
    dependants, and no more adults used than there are (one-person households take the rest)."""
    per = shares[0] + 2.0 * (shares[1] + shares[2] + shares[4]) + shares[3]
    total = n_adults / per
    n_couple = _nearest_int(shares[1] * total)
    n_cwc = _nearest_int(shares[2] * total)
    n_sp = _nearest_int(shares[3] * total)
    n_other = _nearest_int(shares[4] * total)
    if n_dependants == 0:
        n_cwc, n_sp = 0, 0
    elif n_cwc + n_sp == 0:
        n_sp = 1
    elif n_cwc + n_sp > n_dependants:
        n_cwc = n_cwc * n_dependants // (n_cwc + n_sp)
        n_sp = n_dependants - n_cwc
    while 2 * (n_couple + n_cwc + n_other) + n_sp > n_adults:
        if n_couple > 0:
            n_couple -= 1
        elif n_other > 0:
            n_other -= 1
        elif n_cwc > 0:
            n_cwc -= 1
            n_sp += 1
        else:
            n_sp -= 1
    return n_couple, n_cwc, n_sp, n_other


@njit(cache=True)
def _buckets(pool, age, sex, retired, u):
    """The householders by (retired, sex, age) bucket, in random order inside a bucket: bucket b
    holds members[start[b]:start[b + 1]], of which members[ptr[b]:...] are not yet taken."""
    bucket = (retired[pool].astype(np.int64) * 2 + sex[pool]) * (MAX_AGE + 1) + age[pool]
    members = pool[np.argsort(bucket + u[pool, 4])]
    start = np.zeros(_N_BUCKETS + 1, dtype=np.int64)
    for b in bucket:
        start[b + 1] += 1
    start = np.cumsum(start)
    return start, start[:-1].copy(), members


@njit(cache=True)
def _take(target, lo, hi, sexes, retired_lo, retired_hi, start, ptr, members, used, older_first):
    """Take the free householder whose age is nearest `target` inside [lo, hi], of a sex in
    `sexes` (0 male, 1 female, 2 either) and retired flag in [retired_lo, retired_hi]; -1 if none."""
    lo, hi = max(lo, 0), min(hi, MAX_AGE)
    if lo > hi:
        return -1
    target = min(max(target, lo), hi)
    sex_lo, sex_hi = (0, 1) if sexes == 2 else (sexes, sexes)
    for distance in range(hi - lo + 1):
        for side in range(2 if distance > 0 else 1):
            a = target + distance if (side == 0) == older_first else target - distance
            if a < lo or a > hi:
                continue
            for flag in range(retired_lo, retired_hi + 1):
                for s in range(sex_lo, sex_hi + 1):
                    b = (flag * 2 + s) * (MAX_AGE + 1) + a
                    while ptr[b] < start[b + 1]:
                        i = members[ptr[b]]
                        ptr[b] += 1
                        if not used[i]:
                            used[i] = True
                            return i
    return -1


@njit(cache=True)
def _families(deps, age, u, n_cwc, n_sp, prm, start, ptr, members, used, household, kind, nh):
    """Cut the dependants, sorted by noisy age, into sibships of random sizes; give each a parent
    16-50 years older than every child (a partner too for couples). Returns the household count."""
    n_fam = n_cwc + n_sp
    if n_fam == 0:
        return nh
    order = deps[np.argsort(age[deps] + (2.0 * u[deps, 1] - 1.0) * prm[_P_SIBLING])]
    sizes = np.ones(n_fam, dtype=np.int64)
    for j in range(n_fam, order.size):  # each further dependant joins a random sibship
        sizes[min(int(u[order[j], 2] * n_fam), n_fam - 1)] += 1
    first = np.zeros(n_fam + 1, dtype=np.int64)
    first[1:] = np.cumsum(sizes)
    single = np.zeros(n_fam, dtype=np.bool_)
    single[np.argsort(u[order[first[:-1]], 3])[:n_sp]] = True
    done_household = np.empty(n_fam, dtype=np.int64)
    done_age = np.empty(n_fam, dtype=np.int64)
    n_done = 0
    for f in range(n_fam):
        block = order[first[f] : first[f + 1]]
        h, parent_age = _family_parent(block, single[f], age, u, prm, start, ptr, members, used,
                                       household, kind, nh, done_household[:n_done],
                                       done_age[:n_done], f % 2 == 0)  # fmt: skip
        for i in block:
            household[i] = h
        if h == nh:
            done_household[n_done] = h
            done_age[n_done] = parent_age
            n_done += 1
            nh += 1
    return nh


@njit(cache=True)
def _family_parent(block, single, age, u, prm, start, ptr, members, used, household, kind, nh,
                   done_household, done_age, older_first):  # fmt: skip
    """The household of one sibship: a new one (number nh) around a parent found in the age
    window, or, when nobody fits, an earlier family whose parent does; as a last resort the
    nearest adult of any age (rule of docs/HOUSEHOLDS.md). Returns (household, parent's age),
    the age -1 when the household is an earlier one or has no adult."""
    oldest, youngest = age[block].max(), age[block].min()
    lo = max(ADULT_AGE, oldest + int(prm[_P_GAP_MIN]))
    hi = youngest + int(prm[_P_GAP_MAX])
    lead = block[0]
    female = (not single) or u[lead, 5] < prm[_P_MOTHERS]
    sex = _FEMALE if female else _MALE
    wanted = age[block].mean() + prm[_P_GAP_MEAN] + (2.0 * u[lead, 4] - 1.0) * prm[_P_GAP_SPREAD]
    target = _nearest_int(wanted + (0.0 if female else prm[_P_COUPLE_MEAN]))
    parent = _take(target, lo, hi, sex, 0, 0, start, ptr, members, used, older_first)
    if parent < 0:
        parent = _take(target, lo, hi, 1 - sex, 0, 0, start, ptr, members, used, older_first)
    if parent < 0:
        earlier = _nearest(done_age, target, lo, hi)
        if earlier >= 0:
            return done_household[earlier], -1
        parent = _take(target, lo, hi, 2, 1, 1, start, ptr, members, used, older_first)
    if parent < 0:
        parent = _take(target, ADULT_AGE, MAX_AGE, 2, 0, 1, start, ptr, members, used, older_first)
    if parent < 0:
        earlier = _nearest(done_age, target, 0, MAX_AGE)
        if earlier >= 0:
            return done_household[earlier], -1
        kind[nh] = _OTHER  # no adult left at all: the sibship lives on its own
        return nh, -1
    household[parent] = nh
    kind[nh] = _SINGLE_PARENT
    if not single:
        partner = _partner(parent, age, sex, u, prm, start, ptr, members, used, 0, older_first)
        if partner >= 0:
            household[partner] = nh
            kind[nh] = _COUPLE_WITH_CHILDREN
    return nh, age[parent]


@njit(cache=True)
def _nearest(ages, target, lo, hi):
    """Index of the age in [lo, hi] nearest `target`, or -1."""
    best, gap = -1, MAX_AGE + 1
    for j in range(ages.size):
        if lo <= ages[j] <= hi and abs(ages[j] - target) < gap:
            best, gap = j, abs(ages[j] - target)
    return best


@njit(cache=True)
def _partner(person, age, sex, u, prm, start, ptr, members, used, retired_hi, older_first):
    """A free partner of the other sex for `person`, the man `couple_gap_min` to `couple_gap_max`
    years older than the woman, nearest a gap drawn around `couple_gap_mean`; -1 if none."""
    gap = prm[_P_COUPLE_MEAN] + (2.0 * u[person, 3] - 1.0) * prm[_P_COUPLE_SPREAD]
    if sex == _FEMALE:
        lo, hi = age[person] + int(prm[_P_COUPLE_MIN]), age[person] + int(prm[_P_COUPLE_MAX])
        target, other = _nearest_int(age[person] + gap), _MALE
    else:
        lo, hi = age[person] - int(prm[_P_COUPLE_MAX]), age[person] - int(prm[_P_COUPLE_MIN])
        target, other = _nearest_int(age[person] - gap), _FEMALE
    lo = max(lo, ADULT_AGE)
    return _take(target, lo, hi, other, 0, retired_hi, start, ptr, members, used, older_first)


@njit(cache=True)
def _couples(pool, age, sex, u, n_couple, prm, start, ptr, members, used, household, kind, nh):
    """Childless couples: free women in random order, each with the free man nearest the drawn
    age gap (retirees included), until `n_couple` are formed or no woman finds a partner."""
    women = pool[sex[pool] == _FEMALE]
    women = women[np.argsort(u[women, 5])]
    made = 0
    for w in women:
        if made >= n_couple:
            break
        if used[w]:
            continue
        man = _partner(w, age, _FEMALE, u, prm, start, ptr, members, used, 1, made % 2 == 0)
        if man < 0:
            continue
        used[w] = True
        household[w] = nh
        household[man] = nh
        kind[nh] = _COUPLE
        nh += 1
        made += 1
    return nh


@njit(cache=True)
def _others(pool, retired, u, n_other, used, household, kind, nh):
    """Households of two unrelated adults, not retired, paired in random order."""
    free = pool[~used[pool] & ~retired[pool]]
    free = free[np.argsort(u[free, 5])]
    for j in range(min(n_other, free.size // 2)):
        for i in (free[2 * j], free[2 * j + 1]):
            used[i] = True
            household[i] = nh
        kind[nh] = _OTHER
        nh += 1
    return nh
