"""Benchmarks: run on purpose with ``make bench`` (``python -m benchmarks``), never by tests.

They print figures and ratios; timing never goes into test assertions (DESIGN.md 4).
"""
