"""Wiring of the matching capability (issue 4)."""

from __future__ import annotations

from saltbitter.entrypoints.capabilities.base import Capability

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(name="matching")
