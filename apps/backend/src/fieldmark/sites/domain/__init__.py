"""Sites' pure types and rules."""
