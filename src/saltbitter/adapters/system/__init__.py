"""The real clock and the operating system's randomness, behind the system ports."""

from saltbitter.adapters.system.clock import SystemClock
from saltbitter.adapters.system.randomness import SecretsGenerator, UuidIdGenerator

__all__ = ["SecretsGenerator", "SystemClock", "UuidIdGenerator"]
