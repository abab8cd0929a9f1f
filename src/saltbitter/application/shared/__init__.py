"""The shared kernel of the application layer: values every capability may import.

Only values that belong to no capability live here (who is calling, where from, the
consent documents in force). A capability's own types stay in its package; see
docs/capabilities.md, "What a capability may import".
"""
