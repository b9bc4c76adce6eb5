"""Mail: queued in the database in the writer's transaction, delivered by the mail worker."""
