"""Sites's pure types and rules."""
