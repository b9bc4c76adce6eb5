"""Moderation: keeping the community readable (spam filter; flags and the queue to come)."""
