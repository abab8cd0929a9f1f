"""Ports: the small, role-shaped interfaces the application needs from the outside world."""
