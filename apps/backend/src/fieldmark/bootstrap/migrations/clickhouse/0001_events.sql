-- Every collected event, one row each. Rendered by fieldmark.bootstrap.migrate: {on_cluster} and {replicated}
-- become '' on one node, or `ON CLUSTER name` and 'Replicated' when CLICKHOUSE_CLUSTER is set.
-- Ordered and partitioned for per-site, per-date reads; event_id keys deduplication of retried batches.
CREATE TABLE IF NOT EXISTS events {on_cluster}
(
    event_id         UUID,
    site_id          UUID,
    timestamp        DateTime64(3, 'UTC'),
    kind             LowCardinality(String),
    name             LowCardinality(String),
    visitor_id       UInt64,
    session_id       UInt64,
    person_id        UInt64 DEFAULT 0,
    hostname         LowCardinality(String),
    pathname         String,
    referrer         String,
    referrer_source  LowCardinality(String),
    channel          LowCardinality(String),
    utm_source       String,
    utm_medium       String,
    utm_campaign     String,
    utm_content      String,
    utm_term         String,
    country_code     LowCardinality(String),
    region           LowCardinality(String),
    city             String,
    browser          LowCardinality(String),
    browser_version  LowCardinality(String),
    os               LowCardinality(String),
    os_version       LowCardinality(String),
    device           LowCardinality(String),
    screen_class     LowCardinality(String),
    interactive      Bool DEFAULT true,
    props            Map(String, String),
    revenue_amount   Nullable(Decimal64(6)),
    revenue_currency LowCardinality(String),
    engagement_ms    UInt32,
    scroll_depth     UInt8,
    click_x          Int32,
    click_y          Int32,
    viewport_width   UInt16,
    viewport_height  UInt16,
    document_width   UInt32,
    document_height  UInt32,
    selector         String,
    tag              LowCardinality(String),
    rage             Bool,
    dead             Bool
)
ENGINE = {replicated}ReplacingMergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (site_id, toDate(timestamp), kind, visitor_id, timestamp, event_id)
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000;
