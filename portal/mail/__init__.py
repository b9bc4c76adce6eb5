"""Mail: queued in the database in the writer's transaction, delivered after the response."""
