"""Ingestion's adapters to HTTP, stores and queues."""
