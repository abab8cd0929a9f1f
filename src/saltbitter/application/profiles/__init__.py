"""The profiles capability (issue 4)."""
