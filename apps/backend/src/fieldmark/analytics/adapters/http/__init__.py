"""HTTP adapters of the Analytics context."""
