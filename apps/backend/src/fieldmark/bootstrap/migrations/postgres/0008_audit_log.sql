-- Security-relevant actions, newest first per team or per user. Never a password, token or key.
CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    team_id    uuid REFERENCES teams (id) ON DELETE CASCADE,
    actor_user uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_key  uuid,
    action     text NOT NULL,
    target     text NOT NULL DEFAULT '',
    detail     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_team_idx ON audit_log (team_id, id DESC);
CREATE INDEX audit_log_user_idx ON audit_log (actor_user, id DESC);
