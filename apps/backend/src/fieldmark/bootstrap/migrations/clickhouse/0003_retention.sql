-- Each event carries its site's retention period in days (0: for ever), stamped when it is collected and
-- changed by Reporting's retention job when the site's setting changes; the TTL deletes an event once it
-- is older than that. Expired rows go in background merges, or at once where the job materializes the
-- TTL. Existing parts are not rewritten by this change (every existing row has 0, kept for ever).
ALTER TABLE events {on_cluster} ADD COLUMN IF NOT EXISTS retention_days UInt16 DEFAULT 0;
ALTER TABLE events {on_cluster} MODIFY TTL toDateTime(timestamp) + toIntervalDay(retention_days) WHERE retention_days > 0 SETTINGS materialize_ttl_after_modify = 0;
