"""What a calibration may search: a number parameter of the model's tree (`labour.separation_rate`)
or a number field of one of the starting scenario's programmes (`interventions.0.funding_multiplier`,
set in the scenario only, as a sweep's programme factors are), each within its own bounds."""

from __future__ import annotations

import copy
import difflib
import types
import typing
from typing import Any

import annotated_types
import numpy as np
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ampsim.core.errors import InputError
from ampsim.core.parameters import iter_parameters
from ampsim.model import ModelParameters
from ampsim.scenarios.document import Origin, show_value, shown
from ampsim.scenarios.scenario import Scenario

PROGRAMME_PREFIX = "interventions."
Bounds = tuple[float, float, bool, bool]  # low, high, low is open, high is open


def is_programme_field(name: str) -> bool:
    """Whether `name` is a programme's field (`interventions.K.FIELD`), not a model parameter."""
    return name.startswith(PROGRAMME_PREFIX)


def field_bounds(metadata: list[Any]) -> Bounds:
    """(low, high, low is open, high is open) of a field's ge/gt/le/lt (infinite when absent)."""
    low, high, low_open, high_open = -np.inf, np.inf, False, False
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = float(item.ge)
        elif isinstance(item, annotated_types.Gt):
            low, low_open = float(item.gt), True
        elif isinstance(item, annotated_types.Le):
            high = float(item.le)
        elif isinstance(item, annotated_types.Lt):
            high, high_open = float(item.lt), True
    return low, high, low_open, high_open


def check_range(name: str, low: float, high: float, bounds: Bounds, origin: Origin) -> None:
    """InputError unless [low, high] lies within the parameter's own bounds."""
    own_low, own_high, low_open, high_open = bounds
    below = low < own_low or (low_open and low <= own_low)
    above = high > own_high or (high_open and high >= own_high)
    if below or above:
        shown_bounds = f"{'(' if low_open else '['}{own_low:g}, {own_high:g}{')' if high_open else ']'}"
        raise InputError(
            f"{origin}: parameters.{name}: the range [{low:g}, {high:g}] goes outside the parameter's own "
            f"bounds {shown_bounds}"
        )


def _is_number(info: FieldInfo) -> bool:
    """A field holding an int or a float (optionally None, for 'no limit')."""
    kinds = set(typing.get_args(info.annotation)) if isinstance(info.annotation, types.UnionType) else set()
    return info.annotation in (int, float) or (
        bool(kinds & {int, float}) and kinds <= {int, float, type(None)}
    )


def programme_field(name: str, scenario: Scenario, origin: Origin) -> tuple[type, Bounds]:
    """The kind (int or float) and bounds of the programme field `name` of the starting scenario,
    or InputError naming what is wrong."""
    parts = name.split(".")
    count = len(scenario.interventions)
    if len(parts) != 3 or not parts[1].isdigit():
        raise InputError(
            f"{origin}: parameters.{name}: expected interventions.K.FIELD, K the number of a programme of "
            f"the starting scenario (it has {count})"
        )
    index, field = int(parts[1]), parts[2]
    if index >= count:
        raise InputError(
            f"{origin}: parameters.{name}: the starting scenario has {count} programme(s), numbered from 0"
        )
    config = scenario.interventions[index]
    info = type(config).model_fields.get(field)
    if info is None or not _is_number(info):
        numbers = [key for key, value in type(config).model_fields.items() if _is_number(value)]
        raise InputError(
            f"{origin}: parameters.{name}: programme {index} ({config.type}) has no number field {field!r}; "
            f"its number fields: {', '.join(numbers)}"
        )
    return (int if info.annotation is int else float), field_bounds(info.metadata)


def with_programme_fields(interventions: list[Any], values: dict[str, float]) -> list[Any]:
    """The scenario document's programmes (as written) with the calibrated programme fields set."""
    result = copy.deepcopy(interventions)
    for name, value in values.items():
        if is_programme_field(name):
            _, index, field = name.split(".")
            result[int(index)][field] = value
    return result


def parameter_bounds() -> dict[str, tuple[type, float, float, bool, bool]]:
    """Every number parameter of the model: dotted path -> (type, low, high, low open, high open)."""
    found: dict[str, tuple[type, float, float, bool, bool]] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            kind = info.annotation
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                walk(kind, f"{prefix}{name}.")
            elif kind in (int, float):
                found[f"{prefix}{name}"] = (kind, *field_bounds(info.metadata))

    walk(ModelParameters, "")
    return found


def model_parameter(name: str, origin: Origin) -> tuple[type, Bounds]:
    """The kind (int or float) and bounds of the model parameter `name`, or InputError."""
    known = parameter_bounds()
    other = {path: value for path, value, *_ in iter_parameters(ModelParameters())}
    if name in other and name not in known:
        raise InputError(
            f"{origin}: parameters.{name}: is {show_value(other[name])}, not a number parameter; only "
            "number parameters can be calibrated"
        )
    if name not in known:
        close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.7)
        hint = f"; did you mean {close[0]!r}?" if close else "; see the parameter table in docs/MODEL.md"
        raise InputError(f"{origin}: parameters.{shown(name)}: unknown number parameter{hint}")
    kind, *bounds = known[name]
    return kind, tuple(bounds)  # type: ignore[return-value]


def searched(name: str, scenario: Scenario, origin: Origin) -> tuple[type, Bounds]:
    """Kind and bounds of what `name` searches: a programme field of `scenario`, or a model parameter."""
    if is_programme_field(name):
        return programme_field(name, scenario, origin)
    return model_parameter(name, origin)


def check_parameter(name: str, low: float, high: float, scenario: Scenario, origin: Origin) -> None:
    """InputError unless `name` is a number parameter (or programme field of the starting scenario)
    whose own bounds hold the whole range [low, high]."""
    _, bounds = searched(name, scenario, origin)
    check_range(name, low, high, bounds, origin)
