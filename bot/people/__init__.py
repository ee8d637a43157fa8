"""People: workspaces and members, who is an admin, and data protection (subject access
and erasure)."""
