"""The submodel life cycle, and the services of the model that a submodel may use.

Every mechanism is a `Submodel`: built from its parameters alone (`Cls(params)`), attached once
to the model with `setup(model, **couplings)`, then stepped once a month with
`step(model, **couplings)`. What it needs from another submodel arrives as a keyword argument of
`setup` or `step`, written at the call site in `AMPModel`, so the model's step shows the data
flow as well as the order. `runs_in_spin_up` says whether the submodel is stepped during the
calibration months before the start.

A submodel sees the model through `ampsim.world.view.ModelView`, the few services every mechanism
needs; it never reaches into another submodel or into the metrics.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Submodel:
    """One mechanism with the life cycle: `__init__(params)`, `setup(model)`, `step(model)`."""

    runs_in_spin_up: ClassVar[bool] = True

    def __init__(self, params: Any):
        self.params = params

    def setup(self, model: Any) -> None:
        """Attach to the model: size the state, draw the initial values (default: nothing)."""

    def step(self, model: Any) -> None:
        """Simulate one month."""
        raise NotImplementedError
