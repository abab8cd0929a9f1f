"""Operational metrics published to a monitoring service."""
