"""Reporting's pure types and rules."""
