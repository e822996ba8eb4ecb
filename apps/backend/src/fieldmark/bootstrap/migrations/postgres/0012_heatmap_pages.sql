-- The pages (exact paths or * / ** patterns) whose clicks a site keeps for heatmaps; empty: every page.
ALTER TABLE sites ADD COLUMN heatmap_pages text[] NOT NULL DEFAULT '{}';
