"""What exists before the first month: the territory and its grid, the residents' arrays, the
synthetic population and the project's data files."""
