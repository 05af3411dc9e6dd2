"""The mechanisms, one per module, each with its parameters and its kernels; they import only
`ampsim.core` and `ampsim.world` (and, for startups and incubators, each other)."""
