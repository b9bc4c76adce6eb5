"""Imports of existing communities (Stack Exchange data dumps) into the portal."""
