"""The `ampsim` command: parse, call the studies, print."""
