-- Imports of another tool's history; their rows live in ClickHouse's `imported` table.
CREATE TABLE imports (
    id          uuid PRIMARY KEY,
    site_id     uuid        NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    source      text        NOT NULL CHECK (source IN ('plausible', 'ga4')),
    file_name   text        NOT NULL,
    first_day   date        NOT NULL,
    last_day    date        NOT NULL,
    visitors    bigint      NOT NULL,
    pageviews   bigint      NOT NULL,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX imports_site_idx ON imports (site_id);
