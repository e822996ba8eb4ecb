"""Ingestion: from the collect endpoint to stored events.

Validation, bot filtering, enrichment, cookieless hashing, the Redis Stream and the batch writer.
"""
