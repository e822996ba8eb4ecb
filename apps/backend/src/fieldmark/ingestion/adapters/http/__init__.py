"""Ingestion's HTTP edge: the collect endpoint."""
