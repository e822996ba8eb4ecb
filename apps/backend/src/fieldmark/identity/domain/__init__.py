"""Identity's pure types and rules."""
