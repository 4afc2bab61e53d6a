"""Benchmarks that print their figures (never assert). Run from the repository root:
``python -m benchmarks.NAME [--help]`` or ``make bench NAME=NAME ARGS="..."``."""
