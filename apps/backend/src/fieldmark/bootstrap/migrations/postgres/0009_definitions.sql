-- What a site's team defines for Analytics to run: goals, funnels, saved segments (Sites context).
CREATE TABLE goals (
    id         uuid PRIMARY KEY,
    site_id    uuid        NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name       text        NOT NULL,
    match      jsonb       NOT NULL,
    currency   text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX goals_site_name_key ON goals (site_id, lower(name));
CREATE TABLE funnels (
    id             uuid PRIMARY KEY,
    site_id        uuid        NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name           text        NOT NULL,
    steps          jsonb       NOT NULL,
    window_seconds integer     NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX funnels_site_name_key ON funnels (site_id, lower(name));
CREATE TABLE segments (
    id         uuid PRIMARY KEY,
    site_id    uuid        NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name       text        NOT NULL,
    filters    jsonb       NOT NULL,
    visibility text        NOT NULL CHECK (visibility IN ('personal', 'site')),
    owner_id   uuid,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX segments_site_idx ON segments (site_id);
