ALTER TABLE sites DROP COLUMN retention_days;
