"""Outgoing email: .eml files in a folder (embedded mode) or Amazon SES (real mode).

Importing this package does not import boto3: the SES adapter loads it on first use.
"""

from saltbitter.adapters.mail.files import FileMailer, read_eml
from saltbitter.adapters.mail.message import build_message, parse_message
from saltbitter.adapters.mail.ses import SesMailer, ses_client

__all__ = ["FileMailer", "SesMailer", "build_message", "parse_message", "read_eml", "ses_client"]
