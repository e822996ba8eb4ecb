"""Analytics's adapters to HTTP, stores and queues."""
