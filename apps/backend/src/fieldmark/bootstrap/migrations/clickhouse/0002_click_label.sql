-- The label of a clicked link or button (scrubbed of emails and digits), for heatmaps' element lists.
ALTER TABLE events {on_cluster} ADD COLUMN IF NOT EXISTS label String DEFAULT '' AFTER selector;
