"""Photo storage (local folder, S3; links through CloudFront) and the rule-based photo
moderation stand-in.

Importing this package imports neither boto3 nor cryptography: the adapters load them
on first use.
"""

from saltbitter.adapters.photos.cloudfront import (
    CloudFrontSignedPhotoLinks,
    InvalidCloudFrontSigningKey,
    cloudfront_url_signer,
)
from saltbitter.adapters.photos.local import LocalFolderPhotoStore, PhotoFile
from saltbitter.adapters.photos.moderation import RuleBasedPhotoModerator
from saltbitter.adapters.photos.s3 import S3PhotoStore, s3_client

__all__ = [
    "CloudFrontSignedPhotoLinks",
    "InvalidCloudFrontSigningKey",
    "LocalFolderPhotoStore",
    "PhotoFile",
    "RuleBasedPhotoModerator",
    "S3PhotoStore",
    "cloudfront_url_signer",
    "s3_client",
]
