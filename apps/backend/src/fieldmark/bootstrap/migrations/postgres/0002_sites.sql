-- Sites of the Sites context. team_id is filled in by the Identity and Sites issue (teams own sites).
CREATE TABLE sites (
    id                 uuid PRIMARY KEY,
    team_id            uuid,
    domain             text        NOT NULL,
    name               text        NOT NULL,
    timezone           text        NOT NULL DEFAULT 'UTC',
    public_key         text        NOT NULL,
    allowed_hostnames  text[]      NOT NULL DEFAULT '{}',
    excluded_networks  cidr[]      NOT NULL DEFAULT '{}',
    kept_query_params  text[]      NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sites_domain_key ON sites (lower(domain));
CREATE UNIQUE INDEX sites_public_key_key ON sites (public_key);
CREATE INDEX sites_allowed_hostnames_idx ON sites USING gin (allowed_hostnames);
