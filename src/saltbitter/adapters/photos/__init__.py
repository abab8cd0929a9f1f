"""Photo storage (local folder, S3) and the rule-based photo moderation stand-in.

Importing this package does not import boto3: the S3 adapter loads it on first use.
"""

from saltbitter.adapters.photos.local import LocalFolderPhotoStore, PhotoFile
from saltbitter.adapters.photos.moderation import RuleBasedPhotoModerator
from saltbitter.adapters.photos.s3 import S3PhotoStore, s3_client

__all__ = [
    "LocalFolderPhotoStore",
    "PhotoFile",
    "RuleBasedPhotoModerator",
    "S3PhotoStore",
    "s3_client",
]
