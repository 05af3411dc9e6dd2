"""Random streams: one root seed, one child per replicate, one stream per purpose.

A purpose ("population.age", "labour", "pollution", "intervention.seed_fund", ...) is named, not
numbered: its stream is derived from the root entropy, the replicate number and a stable hash of
the name, never from the order in which streams are requested. So the same replicate of two
scenarios draws the same numbers for the same purpose (common random numbers), adding a purpose
shifts no other stream, and two replicates never share a stream.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from ampsim.core.errors import InputError


def purpose_key(purpose: str) -> int:
    """Stable 64-bit integer for a purpose name (BLAKE2b of the UTF-8 name)."""
    digest = hashlib.blake2b(purpose.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


@dataclass(frozen=True)
class SeedPlan:
    """The root of all randomness in a study: record `entropy` and every run can be replayed."""

    entropy: int

    @classmethod
    def from_seed(cls, seed: int | None) -> SeedPlan:
        """A plan from a user's seed, or from fresh OS entropy when the seed is None."""
        if seed is None:
            return cls(int(np.random.SeedSequence().entropy))
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise InputError(f"seed: expected a non-negative integer, got {seed!r}")
        return cls(int(seed))

    def replicate(self, index: int) -> ReplicateSeeds:
        """The seeds of replicate `index` (0, 1, 2, ...)."""
        if index < 0:
            raise InputError(f"replicate: expected a non-negative integer, got {index}")
        return ReplicateSeeds(self.entropy, int(index))


@dataclass(frozen=True)
class ReplicateSeeds:
    """Seeds of one replicate: an independent stream for each named purpose."""

    entropy: int
    replicate: int

    def seed_sequence(self, purpose: str) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.entropy, spawn_key=(self.replicate, purpose_key(purpose)))

    def generator(self, purpose: str) -> np.random.Generator:
        """A NumPy generator (PCG64) for one purpose."""
        return np.random.Generator(np.random.PCG64(self.seed_sequence(purpose)))

    def kernel_seed(self, purpose: str) -> np.uint64:
        """A 64-bit key for the counter-based random numbers used inside Numba kernels."""
        return np.uint64(self.seed_sequence(purpose).generate_state(1, dtype=np.uint64)[0])
