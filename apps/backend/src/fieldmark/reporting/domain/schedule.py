"""Reporting's periodic jobs and how often they run."""

SEND_DIGESTS = "send_due_digests"  # weekly and monthly digests whose period has ended
CHECK_ALERTS = "check_alerts"  # spike and drop alerts

TICKS = {SEND_DIGESTS: 15 * 60, CHECK_ALERTS: 60}  # seconds between runs
