"""ampsim: an agent-based simulation of the Aix-Marseille-Provence metropolis."""

import os
from importlib.metadata import PackageNotFoundError, version

# The parallel kernels run on OpenMP threads. Threads that wait for the next kernel sleep rather
# than spin: on a shared machine, or with several model processes on few cores, spinning threads
# take the cores from the threads that have work, and every kernel slows several times over.
# Read when the threads start (the first parallel kernel); a value set by the user is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

try:
    __version__ = version("ampsim")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
