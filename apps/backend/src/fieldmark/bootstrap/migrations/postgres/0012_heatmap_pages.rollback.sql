ALTER TABLE sites DROP COLUMN heatmap_pages;
