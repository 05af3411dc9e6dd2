"""Shared fixtures: the territory and populations are built once per test session."""

import pytest

from ampsim.core.seeds import SeedPlan
from ampsim.world.population import synthesise_population
from ampsim.world.territory import load_territory


@pytest.fixture(scope="session")
def territory():
    return load_territory()


@pytest.fixture(scope="session")
def population_tenth(territory):
    """Residents at scale 0.1, seed 7."""
    return synthesise_population(territory, 0.1, SeedPlan.from_seed(7).replicate(0))


@pytest.fixture(scope="session")
def population_full(territory):
    """All 1,939,077 residents, seed 3."""
    return synthesise_population(territory, 1.0, SeedPlan.from_seed(3).replicate(0))
