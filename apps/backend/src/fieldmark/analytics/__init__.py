"""Analytics: one query model compiled to ClickHouse SQL.

Audience metrics, goals, funnels, retention, journeys and heatmaps.
"""
