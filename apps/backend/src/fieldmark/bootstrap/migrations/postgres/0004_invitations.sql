-- Invitations to join a team. Only a hash of the token is stored; the token travels in the email.
CREATE TABLE invitations (
    id          uuid PRIMARY KEY,
    team_id     uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    email       text        NOT NULL,
    role        text        NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    token_hash  text        NOT NULL UNIQUE,
    invited_by  uuid        REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX invitations_team_idx ON invitations (team_id);
