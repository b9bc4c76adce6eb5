"""Insights: activity events now; the dashboard and reports build on them."""
