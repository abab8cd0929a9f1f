"""SaltBitter."""
