"""Sites's adapters to HTTP, stores and queues."""
