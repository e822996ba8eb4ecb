"""Ingestion's pure types and rules."""
