"""`make bench`: Fieldmark's benchmarks on the embedded engines. Prints each figure; docs/benchmarks.md
records them with the command. Later issues add ingestion, query and heatmap benchmarks here."""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.stores import ClickHousePool

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
BATCH = 10_000
COLUMNS = ["event_id", "site_id", "timestamp", "kind", "name", "visitor_id", "session_id", "hostname",
           "pathname", "referrer_source", "country_code", "browser", "device"]


def batch(site: uuid.UUID, start: datetime, rng: random.Random) -> list[list[object]]:
    """One batch of pageview rows, column-oriented, spread over 30 days with skewed pages."""
    n = BATCH
    visitors = [rng.getrandbits(63) for _ in range(n)]
    return [
        [uuid.uuid4() for _ in range(n)],
        [site] * n,
        [start + timedelta(seconds=rng.randrange(30 * 86400)) for _ in range(n)],
        ["pageview"] * n,
        ["pageview"] * n,
        visitors,
        [v ^ 0x5EED for v in visitors],
        ["example.com"] * n,
        [f"/page/{int(rng.paretovariate(1.2)) % 500}" for _ in range(n)],
        [rng.choice(["Google", "Direct", "Twitter", "Newsletter"]) for _ in range(n)],
        [rng.choice(["DE", "US", "FR", "BR", "IN"]) for _ in range(n)],
        [rng.choice(["Chrome", "Firefox", "Safari"]) for _ in range(n)],
        [rng.choice(["Desktop", "Mobile"]) for _ in range(n)],
    ]


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="fm-bench-"))
    pool = ClickHousePool(f"chdb://{folder / 'clickhouse'}", "bench")
    migrate_clickhouse(pool)
    rng = random.Random(7)
    site = uuid.uuid4()
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)

    batches = [batch(site, start, rng) for _ in range(ROWS // BATCH)]
    began = time.perf_counter()
    for columns in batches:
        pool.run(lambda c, cols=columns: c.insert("events", cols, column_names=COLUMNS, column_oriented=True))
    insert_s = time.perf_counter() - began
    print(f"clickhouse insert: {ROWS:,} events in {BATCH:,}-row batches: {insert_s:.2f} s, "
          f"{ROWS / insert_s:,.0f} events/s")

    query = (
        "SELECT toDate(timestamp) AS day, uniq(visitor_id), count() FROM events "
        "WHERE site_id = {site:UUID} AND timestamp >= {since:DateTime64(3)} GROUP BY day ORDER BY day"
    )
    timings = []
    for _ in range(11):
        began = time.perf_counter()
        rows = pool.run(lambda c: c.query(query, parameters={"site": site, "since": start}).result_rows)
        timings.append((time.perf_counter() - began) * 1000)
    print(f"clickhouse 30-day visitors and pageviews by day over {ROWS:,} events: "
          f"median {statistics.median(timings):.1f} ms ({len(rows)} days, 11 runs)")
    pool.close()


if __name__ == "__main__":
    main()
