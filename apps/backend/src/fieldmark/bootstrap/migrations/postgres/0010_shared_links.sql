-- Public read-only dashboards of one site: the token is kept only as a SHA-256 hash, a password as argon2id.
-- A link restricted to a segment goes with the segment, so it never widens to the whole site.
CREATE TABLE shared_links (
    id            uuid PRIMARY KEY,
    site_id       uuid        NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name          text        NOT NULL,
    token_hash    text        NOT NULL UNIQUE,
    password_hash text,
    segment_id    uuid REFERENCES segments (id) ON DELETE CASCADE,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);
CREATE INDEX shared_links_site_idx ON shared_links (site_id);
