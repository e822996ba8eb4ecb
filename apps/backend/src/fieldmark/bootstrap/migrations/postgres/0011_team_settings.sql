-- A team owner may require two-factor sign-in of every member.
ALTER TABLE teams ADD COLUMN require_two_factor boolean NOT NULL DEFAULT false;
