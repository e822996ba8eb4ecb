"""Reporting: scheduled email reports, traffic alerts, exports, imports, retention and deletion jobs."""
