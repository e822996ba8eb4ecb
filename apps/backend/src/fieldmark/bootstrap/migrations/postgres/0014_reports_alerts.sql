-- Email digests: a member opts in for a site (user_id), or an admin adds an address (email). The period
-- last sent keeps a digest from going twice; the unsubscribe link is an HMAC of the id, so nothing
-- secret is stored.
CREATE TABLE report_subscriptions (
    id           uuid PRIMARY KEY,
    site_id      uuid        NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    user_id      uuid REFERENCES users (id) ON DELETE CASCADE,
    email        text,
    frequency    text        NOT NULL CHECK (frequency IN ('weekly', 'monthly')),
    last_period  text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((user_id IS NULL) <> (email IS NULL))
);
CREATE UNIQUE INDEX report_subscriptions_user_key ON report_subscriptions (site_id, user_id, frequency) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX report_subscriptions_email_key ON report_subscriptions (site_id, lower(email), frequency) WHERE email IS NOT NULL;

-- Traffic alerts: a spike (current visitors above `threshold`) or a drop (yesterday's visitors below
-- `threshold` percent of the week before's daily average), to emails and a webhook. A breach notifies
-- once: `breached` stays true until the traffic is back, and `cooldown_minutes` must pass after the last
-- notification before the next.
CREATE TABLE alerts (
    id                uuid PRIMARY KEY,
    site_id           uuid        NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    kind              text        NOT NULL CHECK (kind IN ('spike', 'drop')),
    threshold         integer     NOT NULL CHECK (threshold > 0),
    emails            text[]      NOT NULL DEFAULT '{}',
    webhook_url       text,
    cooldown_minutes  integer     NOT NULL DEFAULT 60 CHECK (cooldown_minutes BETWEEN 5 AND 10080),
    breached          boolean     NOT NULL DEFAULT false,
    last_notified_at  timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alerts_site_idx ON alerts (site_id);
