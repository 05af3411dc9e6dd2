"""Speed and memory measurements of ampsim: `python -m benchmarks [--quick]` (see suite.py)."""
