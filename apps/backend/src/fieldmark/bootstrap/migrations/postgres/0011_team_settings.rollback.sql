ALTER TABLE teams DROP COLUMN require_two_factor;
