"""The events capability: community events, registrations, waitlists, surveys."""
