-- Which parts of the tracker a site turns on (heatmaps, outbound links, downloads, 404s, hash routing, DNT).
ALTER TABLE sites ADD COLUMN tracker_options jsonb NOT NULL DEFAULT '{}';
