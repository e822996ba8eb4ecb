-- Teams own sites; members hold one role each. A site created from the command line may have no team yet.
CREATE TABLE teams (
    id         uuid PRIMARY KEY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE memberships (
    team_id    uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text        NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);
ALTER TABLE sites ADD CONSTRAINT sites_team_fk FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE;
CREATE INDEX sites_team_idx ON sites (team_id);
