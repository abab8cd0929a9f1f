"""HTTP routes of the matching capability under /api/v1 (issue 4)."""

from __future__ import annotations

from litestar import Controller

__all__ = ["ROUTES"]

ROUTES: list[type[Controller]] = []
