"""Image processing and photo moderation: CPU-heavy or remote work behind ports."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Protocol

from saltbitter.domain.profiles import ImageType

__all__ = ["ImageProcessor", "ModerationVerdict", "PhotoModerator", "ProcessedImage"]


@dataclass(frozen=True, slots=True, repr=False)
class ProcessedImage:
    """A re-encoded image: metadata (EXIF, GPS, comments, ICC aside) stripped."""

    data: bytes
    content_type: ImageType
    width: int
    height: int

    def __repr__(self) -> str:  # never dump megabytes into a log or a test report
        return (
            f"ProcessedImage({self.content_type.value}, {self.width}x{self.height}, "
            f"{len(self.data)} bytes)"
        )


class ImageProcessor(Protocol):
    @abstractmethod
    async def normalise(self, data: bytes, image_type: ImageType) -> ProcessedImage:
        """Decode ``data`` (which must really be ``image_type``), turn it upright, cap its
        size and re-encode it without metadata. Runs off the event loop.

        Raises ``ValidationFailed`` on field ``file`` when the bytes are not a readable
        image of that type (code ``invalid_image``) or are absurdly large in pixels
        (code ``image_too_large``).
        """


@dataclass(frozen=True, slots=True)
class ModerationVerdict:
    """Whether a photo may be shown; a rejection carries a stable code and a reason."""

    approved: bool
    code: str = "approved"
    reason: str = ""


class PhotoModerator(Protocol):
    @abstractmethod
    async def screen(self, image: ProcessedImage) -> ModerationVerdict:
        """Judge one photo before it is stored; raises ``Unavailable`` when it cannot."""
