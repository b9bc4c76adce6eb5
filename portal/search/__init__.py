"""Search: the append-only change log now; the Whoosh index and search page build on it."""
