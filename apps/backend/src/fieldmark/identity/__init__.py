"""Identity: accounts, sessions, teams, roles, invitations, API keys and the authorization guard."""
