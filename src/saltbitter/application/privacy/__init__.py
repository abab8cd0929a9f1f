"""Export and erasure of a member's data across every capability (ADR 0018)."""
