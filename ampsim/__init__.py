"""ampsim: an agent-based simulation of the Aix-Marseille-Provence metropolis.

The public interface (`ampsim.load_scenario`, `run`, `compare`, `sweep`, `AMPModel`, ...) is in
`ampsim.api` and loaded on first use, so that `import ampsim` stays fast and the layers below
never import the package's top.
"""

import os

from ampsim.core.version import __version__

# The parallel kernels run on OpenMP threads. Threads that wait for the next kernel sleep rather
# than spin: on a shared machine, or with several model processes on few cores, spinning threads
# take the cores from the threads that have work, and every kernel slows several times over.
# Read when the threads start (the first parallel kernel); a value set by the user is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__all__ = [
    "AMPModel",
    "Comparison",
    "ModelParameters",
    "RunResult",
    "RunSettings",
    "Scenario",
    "__version__",
    "compare",
    "load_scenario",
    "run",
    "sweep",
]


def __getattr__(name: str):
    """The public names, imported from `ampsim.api` when first asked for."""
    if name in __all__:
        from ampsim import api

        return getattr(api, name)
    raise AttributeError(f"module 'ampsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
