"""Sites's use cases and the ports they need."""
