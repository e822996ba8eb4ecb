"""Identity's adapters: PostgreSQL repositories, the password hasher, HTTP controllers."""
