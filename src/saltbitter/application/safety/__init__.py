"""The safety capability: blocks, reports, moderation and date check-ins."""
