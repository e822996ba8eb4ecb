"""The documented bounds of what the collect endpoint accepts (see docs/api/ingestion.md)."""

MAX_BODY_BYTES = 64 * 1024
MAX_BATCH_EVENTS = 50
MAX_IDEMPOTENCY_KEY_LENGTH = 200  # `event_id`, or the Idempotency-Key header
IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600  # an event sent again with the same key within this is stored once
COLLECT_DEADLINE_SECONDS = 5.0  # the stream must confirm a request within this, else 503 (clients wait 10)
MAX_DOMAINS = 10  # sites one event may name in `d` (a comma-separated list), after removing repeats
MAX_NAME_LENGTH = 120
MAX_URL_LENGTH = 2000
MAX_PROPS = 30
MAX_PROP_KEY_LENGTH = 300
MAX_PROP_VALUE_LENGTH = 2000
MAX_SELECTOR_LENGTH = 1000
MAX_TAG_LENGTH = 32
MAX_ENGAGEMENT_MS = 24 * 3600 * 1000
MAX_COORDINATE = 1_000_000
MAX_VIEWPORT = 20_000
MAX_REVENUE = 1_000_000_000_000
PAST_TOLERANCE_SECONDS = 7 * 24 * 3600  # a queued event may arrive up to a week late
FUTURE_TOLERANCE_SECONDS = 10 * 60  # and a client clock may run ten minutes fast
SESSION_TIMEOUT_SECONDS = 30 * 60
