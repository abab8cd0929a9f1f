"""Benchmarks: run on purpose with ``make bench`` (``python -m benchmarks``), never by tests.

They print figures and ratios; timing never goes into test assertions, because
machines differ and a test that depends on its machine's speed is a flaky test.
"""
