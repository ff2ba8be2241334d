"""Kehu benchmarks: `make bench` or `python -m bench --help`.

Each benchmark runs in its own process against its own fresh database and reports ratios
against a baseline measured in the same run (see bench/README.md). They are not tests.
"""
