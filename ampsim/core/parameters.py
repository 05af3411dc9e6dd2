"""Building blocks of the model's parameter tree.

Each mechanism module declares its parameters as a `ParameterGroup`, every field made with
`parameter(...)`: a default value, a unit, a source (or the words "modelling assumption") and a
one-line description. The documentation's parameter table is generated from these fields, and a
test fails when a parameter lacks a unit or a source.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

ASSUMPTION = "modelling assumption"


class ParameterGroup(BaseModel):
    """A frozen, validated group of parameters; unknown keys and non-finite numbers (inf, nan,
    1e400) are rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, allow_inf_nan=False)


def parameter(default: Any, *, unit: str, source: str, description: str, **constraints: Any) -> Any:
    """A documented parameter: default, unit, source and description, plus pydantic bounds."""
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
        **constraints,
    )


def iter_parameters(group: BaseModel, prefix: str = ""):
    """Yield (dotted path, value, unit, source, description) for every leaf parameter."""
    for name, info in type(group).model_fields.items():
        value = getattr(group, name)
        path = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from iter_parameters(value, path + ".")
            continue
        extra = info.json_schema_extra or {}
        yield path, value, extra.get("unit"), extra.get("source"), info.description


def bounded(low: float, high: float, kind: type = float) -> Any:
    """A number type with inclusive bounds, for the items of tuple parameters:
    `tuple[Share, Share]` with `Share = bounded(0, 1)`."""
    return Annotated[kind, Field(ge=low, le=high)]


# item types of tuple parameters
Share = bounded(0.0, 1.0)  # a probability or a share
Relative = bounded(0.0, 10.0)  # a relative risk, effort or weight (1 = the reference)
Concentration = bounded(0.0, 1000.0)  # µg/m³
