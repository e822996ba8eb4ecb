"""Sites' HTTP edge."""
