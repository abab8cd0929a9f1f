"""Image processing with Pillow: photo normalisation and locally generated photos."""

from saltbitter.adapters.images.generated import generated_photo
from saltbitter.adapters.images.pillow import MAX_INPUT_PIXELS, MAX_SIDE, PillowImageProcessor

__all__ = ["MAX_INPUT_PIXELS", "MAX_SIDE", "PillowImageProcessor", "generated_photo"]
