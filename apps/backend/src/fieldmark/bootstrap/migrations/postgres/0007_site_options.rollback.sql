ALTER TABLE sites DROP COLUMN tracker_options;
