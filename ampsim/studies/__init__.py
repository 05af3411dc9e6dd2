"""Studies built on runs: the one runner, paired replicates, comparisons, sweeps, analysis and
calibration targets. Studies produce tables; they never draw (see `ampsim.reports`)."""
