"""The assessments capability (issue 4)."""
