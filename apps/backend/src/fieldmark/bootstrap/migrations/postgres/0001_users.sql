-- Accounts of the Identity context. Emails are unique regardless of case.
CREATE TABLE users (
    id                uuid PRIMARY KEY,
    email             text        NOT NULL,
    name              text        NOT NULL DEFAULT '',
    password_hash     text        NOT NULL,
    is_instance_admin boolean     NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
