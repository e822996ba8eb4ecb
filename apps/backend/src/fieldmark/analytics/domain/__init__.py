"""Analytics's pure types and rules."""
