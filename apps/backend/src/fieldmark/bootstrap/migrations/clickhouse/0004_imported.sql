-- History imported from other tools (Plausible's CSV export, GA4's BigQuery export): daily figures per
-- dimension value, '' being the day's totals. The Stats API adds them to collected data on request.
CREATE TABLE IF NOT EXISTS imported {on_cluster}
(
    site_id         UUID,
    import_id       UUID,
    date            Date,
    dimension       LowCardinality(String),
    value           String,
    visitors        UInt64,
    visits          UInt64,
    pageviews       UInt64,
    bounces         UInt64,
    visit_duration  UInt64,
    events          UInt64
)
ENGINE = {replicated}MergeTree
ORDER BY (site_id, dimension, date, value);
