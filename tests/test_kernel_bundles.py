"""Kernels take the residents' arrays as one bundle (`ResidentArrays`) and their tables as others,
and Numba 0.68 silently loses writes made through a bundle's field inside `prange` (see
`ampsim.world.residents.ResidentArrays`). So every kernel that takes the residents is run here on
the arguments of a real month at scale 0.01, twice, on copies of the same inputs: compiled, and as
plain Python (`kernel.py_func`, in which `prange` is `range` and no write can be lost). The two
must give identical arrays, and the kernel must really have changed them (the check is not
vacuous). Tiny kernels that lose their writes show that the check would fail.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from numba import njit, prange

from ampsim.core.chunks import chunk_bounds
from ampsim.model import AMPModel
from ampsim.submodels.labour import place_local_hires
from ampsim.submodels.training import Programme
from ampsim.world.residents import ResidentArrays, Residents, labour_defaults

# every kernel that takes the residents' bundle, by the module that calls it
KERNELS = (
    ("ampsim.submodels.demography", "demography_kernel"),
    ("ampsim.submodels.demography", "release_slots_kernel"),
    ("ampsim.submodels.demography", "births_kernel"),
    ("ampsim.submodels.migration", "departures_kernel"),
    ("ampsim.submodels.migration", "release_slots_kernel"),
    ("ampsim.submodels.migration", "arrivals_kernel"),
    ("ampsim.submodels.migration", "settle_arrivals_kernel"),
    ("ampsim.submodels.lifecourse", "lifecourse_kernel"),
    ("ampsim.submodels.lifecourse", "home_leavers_kernel"),
    ("ampsim.submodels.lifecourse", "move_out_kernel"),
    ("ampsim.submodels.lifecourse", "unions_kernel"),
    ("ampsim.submodels.training", "training_kernel"),
    ("ampsim.submodels.training", "enrol_kernel"),
    ("ampsim.submodels.startups.staff", "founder_weight_kernel"),
    ("ampsim.submodels.startups.staff", "pick_founders_kernel"),
    ("ampsim.submodels.startups.staff", "release_kernel"),
    ("ampsim.submodels.labour.market", "separation_kernel"),
    ("ampsim.submodels.labour.market", "count_labour_kernel"),
    ("ampsim.submodels.labour.market", "outside_hiring_kernel"),
    ("ampsim.submodels.labour.hiring", "job_finders_kernel"),
    ("ampsim.submodels.labour.hiring", "hiring_kernel"),
    ("ampsim.submodels.labour.hiring", "place_kernel"),
    ("ampsim.submodels.housing", "leave_home_kernel"),
    ("ampsim.submodels.housing", "settle_kernel"),
    ("ampsim.submodels.commuting", "mode_choice_kernel"),
    ("ampsim.submodels.exposure", "exposure_kernel"),
    ("ampsim.metrics", "metrics_kernel"),
)

# the parallel kernels that write resident arrays, and the arrays a month must change
WRITES = {
    "demography_kernel": {"age_months", "months_in_status"},
    "lifecourse_kernel": {"status", "months_in_status"},
    "training_kernel": {"status", "months_in_status"},
    "separation_kernel": {"status", "months_in_status", "work_zone", "employer"},
    "outside_hiring_kernel": {"status", "months_in_status", "employer"},
    "leave_home_kernel": {"home_cell"},
    "mode_choice_kernel": {"car"},
    "exposure_kernel": {"exposure_no2", "exposure_pm25"},
}
N_CHUNKS = 3  # chunks for the kernels that take their number, so that chunks run apart


@pytest.fixture(scope="module")
def calls() -> list[tuple[Callable, tuple]]:
    """Each bundle kernel called in a month, a programme's enrolment and a placement, with a copy
    of its arguments as they were before the call."""
    model = AMPModel(scale=0.01, seed=3, months=3, calibration_months=2)
    model.step()
    mark = model.training.add_programme(Programme("test", 6, 0.02, 0.2, 1.5))
    # a staffed startup reaches the graduation age in the recorded month, so that the release of
    # staff moves someone (closures and layoffs of staffed startups are rare in one month)
    staffed = next(s for s in model.startups.agents if s.simulated_staff > 0)
    staffed.founded_month = model.month + 1 - model.startups.params.graduation_age_months
    recorded: list[tuple[Callable, tuple]] = []
    patch = pytest.MonkeyPatch()
    for module_name, name in KERNELS:
        module = importlib.import_module(module_name)
        patch.setattr(module, name, _recorder(getattr(module, name), recorded))
    try:
        model.step()
        seats = np.zeros(model.territory.n_zones, dtype=np.int64)
        seats[:20] = 5
        model.training.enrol(model, mark, seats, 16, 29, "test.enrolment")
        place_local_hires(model, np.arange(20), np.full(model.territory.n_zones, 2.0), "test.placement")
    finally:
        patch.undo()
        model.close()
    return recorded


def _recorder(kernel: Callable, recorded: list) -> Callable:
    def record(*args: Any) -> Any:
        recorded.append((kernel, _copy(args)))
        return kernel(*args)

    return record


# --- comparing a compiled kernel with its pure-Python self ---------------------------------
def _copy(value: Any) -> Any:
    """A deep copy of arrays and (named) tuples of them; other values as they are."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple):
        items = [_copy(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    return value


def _leaves(value: Any, name: str) -> Iterator[tuple[str, Any]]:
    """(name, value) of every array and scalar inside a value, named by fields and positions."""
    if isinstance(value, tuple):
        names = value._fields if hasattr(value, "_fields") else [str(k) for k in range(len(value))]
        for field, item in zip(names, value, strict=True):
            yield from _leaves(item, f"{name}.{field}")
    else:
        yield name, value


def _same(a: Any, b: Any) -> bool:
    """Bit for bit: the same dtype, shape and bytes for arrays."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    return a == b


def _named(kernel: Callable, args: tuple) -> dict[str, Any]:
    names = list(inspect.signature(kernel.py_func).parameters)
    return dict(zip(names, args, strict=True))


def run_both(kernel: Callable, args: tuple) -> tuple[tuple, tuple]:
    """(result, *arguments) after the compiled kernel and after its Python function, each run on
    its own copy of `args`."""
    compiled_args, python_args = _copy(args), _copy(args)
    compiled = kernel(*compiled_args)
    python = kernel.py_func(*python_args)
    return (compiled, *compiled_args), (python, *python_args)


def differing(compiled: tuple, python: tuple) -> list[str]:
    """Names of the arrays and values that differ between the two runs (call.0 is the result,
    call.1 the first argument, and so on)."""
    python_leaves = dict(_leaves(python, "call"))
    return [name for name, value in _leaves(compiled, "call") if not _same(value, python_leaves[name])]


def differences(kernel: Callable, args: tuple) -> tuple[list[str], dict[str, Any], dict[str, Any]]:
    """What differs between the compiled and the Python run; the compiled run's arguments and
    the inputs, by parameter name."""
    compiled, python = run_both(kernel, args)
    return differing(compiled, python), _named(kernel, compiled[1:]), _named(kernel, args)


def _with_chunks(kernel: Callable, args: tuple, n_chunks: int) -> tuple:
    """The arguments with `n_chunks` chunks, for a kernel that takes their number."""
    named = _named(kernel, args)
    if "n_chunks" in named:
        named["n_chunks"] = n_chunks
    return tuple(named.values())


def _changed_resident_arrays(after: ResidentArrays, before: ResidentArrays) -> set[str]:
    return {name for name in ResidentArrays._fields if not _same(getattr(after, name), getattr(before, name))}


# --- the kernels ------------------------------------------------------------------------
def test_every_kernel_was_called(calls):
    called = {kernel.__name__ for kernel, _ in calls}
    expected = {name for _, name in KERNELS} - {"pick_founders_kernel", "release_kernel"}  # some months
    assert expected <= called, f"not called: {sorted(expected - called)}"


def test_compiled_kernels_give_the_same_arrays_as_plain_python(calls):
    """The check itself: identical arrays, compiled or not, and every kernel changed something
    (the parallel kernels that write residents, the arrays they must change)."""
    checked = set()
    for kernel, recorded_args in calls:
        args = _with_chunks(kernel, recorded_args, N_CHUNKS)
        differing, after, before = differences(kernel, args)
        name = kernel.__name__
        assert not differing, f"{name}: compiled and Python runs differ in {differing}"
        changed = [key for key, value in after.items() if not _all_same(value, before[key])]
        assert changed, f"{name} changed nothing: the comparison would be vacuous"
        if name in WRITES:
            residents = _changed_resident_arrays(after["r"], before["r"])
            assert WRITES[name] <= residents, f"{name} left {sorted(WRITES[name] - residents)} unchanged"
        checked.add(name)
    assert set(WRITES) <= checked


def _all_same(a: Any, b: Any) -> bool:
    return all(_same(x, y) for (_, x), (_, y) in zip(_leaves(a, ""), _leaves(b, ""), strict=True))


# --- the check catches kernels that lose their writes -------------------------------------
def _residents(n: int) -> ResidentArrays:
    """n synthetic residents of zone 0, aged 0 to 99."""
    ages = (np.arange(n) % 1200).astype(np.uint16)
    arrays = {
        **labour_defaults(n),
        "zone": np.zeros(n, dtype=np.uint8),
        "home_cell": np.zeros(n, dtype=np.uint16),
        "household": np.arange(n, dtype=np.int32),
        "age_months": ages,
        "sex": np.zeros(n, dtype=np.uint8),
        "education": np.zeros(n, dtype=np.uint8),
        "status": np.zeros(n, dtype=np.uint8),
        "income": np.full(n, 20_000.0, dtype=np.float32),
    }
    return Residents(weight=1.0, **arrays).kernel_view()


@njit(parallel=True)
def _age_unpacked(r, n_chunks):  # pragma: no cover - compiled
    """Everyone a month older, through an array unpacked before prange: the right way."""
    age_months = r.age_months
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, age_months.size)
        for i in range(start, stop):
            age_months[i] += 1


@njit(parallel=True)
def _age_through_the_field(r, n_chunks):  # pragma: no cover - compiled
    """The same, writing through the bundle's field inside prange (lost in Numba 0.68)."""
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, r.age_months.size)
        for i in range(start, stop):
            r.age_months[i] += 1


@njit(parallel=True)
def _age_unpacked_as_a_tuple(r, n_chunks):  # pragma: no cover - compiled
    """The same, over residents, through arrays unpacked four at a time: Python builds a tuple
    for that, and Numba 0.68 loses the writes (it kept them in a loop over chunks, here)."""
    zone, sex, age_months, status = r.zone, r.sex, r.age_months, r.status
    for i in prange(age_months.size):
        age_months[i] += 1 + 0 * (zone[i] + sex[i] + status[i])


def test_the_check_passes_a_kernel_that_unpacks_its_arrays():
    differences_found, after, before = differences(_age_unpacked, (_residents(5_000), N_CHUNKS))
    assert not differences_found
    assert _changed_resident_arrays(after["r"], before["r"]) == {"age_months"}


def test_the_check_catches_a_single_lost_write():
    """A known-wrong result: the compiled run with one write undone, as if it had been lost."""
    compiled, python = run_both(_age_unpacked, (_residents(5_000), N_CHUNKS))
    assert differing(compiled, python) == []
    compiled[1].age_months[4_321] -= 1
    assert differing(compiled, python) == ["call.1.age_months"]


@pytest.mark.parametrize("kernel", [_age_through_the_field, _age_unpacked_as_a_tuple])
def test_the_check_catches_the_numba_pitfall(kernel):
    """Writes through a bundle inside prange, which the kernels avoid (see ResidentArrays)."""
    differences_found, after, before = differences(kernel, (_residents(5_000), N_CHUNKS))
    changed = _changed_resident_arrays(after["r"], before["r"])
    if differences_found:  # Numba 0.68.1 loses every write, and the check says so
        assert differences_found == ["call.1.age_months"]
        assert not changed
    else:  # a Numba that keeps such writes: then all of them are there
        assert changed == {"age_months"}
