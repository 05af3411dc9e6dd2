import math

import pytest
from pydantic import BaseModel, ValidationError

from ampsim.core.parameters import iter_parameters
from ampsim.model import ModelParameters


def test_every_parameter_has_a_unit_a_source_and_a_description():
    rows = list(iter_parameters(ModelParameters()))
    assert len(rows) >= 80
    for path, value, unit, source, description in rows:
        assert value is not None, path
        assert unit, f"{path} has no unit"
        assert source, f"{path} has no source"
        assert description, f"{path} has no description"


def _numeric_leaves(group, prefix=()):
    """(path, value) of every numeric parameter, tuples item by item."""
    for name in type(group).model_fields:
        value = getattr(group, name)
        path = (*prefix, name)
        if isinstance(value, BaseModel):
            yield from _numeric_leaves(value, path)
        elif isinstance(value, tuple) or (isinstance(value, int | float) and not isinstance(value, bool)):
            yield path, value


def _override(path, value):
    tree = value
    for part in reversed(path):
        tree = {part: tree}
    return tree


def _replaced(value, new):
    """The value with `new` in its first number (inside nested tuples too)."""
    if isinstance(value, tuple):
        return (_replaced(value[0], new), *value[1:])
    return new


@pytest.mark.parametrize("bad", [1e12, -1e12, math.inf, math.nan])
def test_every_numeric_parameter_has_finite_plausible_bounds(bad):
    leaves = list(_numeric_leaves(ModelParameters()))
    assert len(leaves) >= 150
    accepted = []
    for path, value in leaves:
        try:
            ModelParameters.model_validate(_override(path, _replaced(value, bad)))
        except ValidationError:
            continue
        accepted.append(".".join(path))
    assert not accepted, f"{bad} accepted for {accepted}"
