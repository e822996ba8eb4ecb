"""Sites: sites inside teams and what is measured on them.

Hostnames, tracker options, goals, funnel definitions and saved segments.
"""
