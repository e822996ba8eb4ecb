-- How many days a site's events are kept; 0 keeps them for ever.
ALTER TABLE sites ADD COLUMN retention_days integer NOT NULL DEFAULT 0
    CHECK (retention_days = 0 OR retention_days BETWEEN 7 AND 3650);
