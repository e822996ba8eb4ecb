"""Where a site's data version lives: Ingestion's writer bumps it when a batch lands; Analytics keys its
result cache on it, so a cached answer is never older than the last landed batch."""

from uuid import UUID


def data_version_key(site_id: UUID | str) -> str:
    return f"fm:dv:{site_id}"
