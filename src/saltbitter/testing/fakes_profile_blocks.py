"""In-memory blocks as profile views read them: the fakes' safety state, either direction."""

from __future__ import annotations

from saltbitter.application.ports.profiles import ProfileBlocks
from saltbitter.testing.fakes_safety import InMemoryBlockReads

__all__ = ["InMemoryProfileBlocks"]


class InMemoryProfileBlocks(InMemoryBlockReads, ProfileBlocks):
    pass
