"""Recognition: a nomination as people see it, and posting it (the public post and each
nominee's message) exactly once through the outbox."""
