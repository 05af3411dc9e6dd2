"""Time to form the households of a synthesised population, at scales 0.05 and 1.

    python -m benchmarks.households_benchmark [--repeats 3] [--seed 1]

For each scale: synthesise the residents once, form their households once to compile (or load)
the kernels, then time `form_households` (uniform draws included) `--repeats` times and print the
median and the range, with the numbers of residents and households and the Numba thread count.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numba

from ampsim.core.seeds import SeedPlan
from ampsim.world.households import form_households, household_composition
from ampsim.world.population import synthesise_population
from ampsim.world.territory import load_territory

SCALES = (0.05, 1.0)
PURPOSE = "population.households"


def time_scale(scale: float, repeats: int, seed: int) -> tuple[list[float], int, int]:
    """(seconds per run, residents, households) of `repeats` formations at `scale`."""
    territory = load_territory()
    seeds = SeedPlan.from_seed(seed).replicate(0)
    residents = synthesise_population(territory, scale, seeds)
    composition = household_composition(territory)
    args = (residents.zone, residents.age_years(), residents.sex, residents.status, composition)
    _, households = form_households(*args, seeds.generator(PURPOSE))  # compile or load the cache
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        form_households(*args, seeds.generator(PURPOSE))
        seconds.append(time.perf_counter() - start)
    return seconds, residents.n, households.n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    print(f"Numba threads: {numba.get_num_threads()}")
    for scale in SCALES:
        seconds, residents, households = time_scale(scale, options.repeats, options.seed)
        print(
            f"scale {scale:g}: {residents:,} residents, {households:,} households; "
            f"median {statistics.median(seconds):.3f} s over {len(seconds)} runs "
            f"(min {min(seconds):.3f}, max {max(seconds):.3f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
