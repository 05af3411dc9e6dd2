import numpy as np
import pytest

from ampsim.core.errors import InputError
from ampsim.core.seeds import SeedPlan


def test_streams_depend_on_purpose_not_on_request_order():
    seeds = SeedPlan.from_seed(5).replicate(2)
    labour_first = seeds.generator("labour").random(5)
    seeds.generator("pollution").random(100)
    labour_again = seeds.generator("labour").random(5)
    assert np.array_equal(labour_first, labour_again)
    assert not np.array_equal(labour_first, seeds.generator("pollution").random(5))


def test_replicates_and_roots_are_independent():
    plan = SeedPlan.from_seed(5)
    draws = {
        (root, replicate): SeedPlan.from_seed(root).replicate(replicate).generator("labour").random(4)
        for root in (5, 6)
        for replicate in (0, 1)
    }
    values = [tuple(v) for v in draws.values()]
    assert len(set(values)) == 4
    assert plan.replicate(0).kernel_seed("labour") != plan.replicate(1).kernel_seed("labour")


def test_fresh_entropy_is_recorded():
    plan = SeedPlan.from_seed(None)
    assert plan.entropy > 0
    replay = SeedPlan(plan.entropy).replicate(0).generator("x").random(3)
    assert np.array_equal(replay, plan.replicate(0).generator("x").random(3))


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_bad_seed_is_rejected(bad):
    with pytest.raises(InputError, match="seed: expected a non-negative integer"):
        SeedPlan.from_seed(bad)
