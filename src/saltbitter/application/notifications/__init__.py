"""The notifications capability (issue 4)."""
