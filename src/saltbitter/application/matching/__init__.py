"""The matching capability (issue 4)."""
