"""Identity's HTTP edge: sign-up, sign-in, sessions."""
