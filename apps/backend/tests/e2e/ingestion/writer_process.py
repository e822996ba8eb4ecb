"""A stream writer in a process of its own (chDB allows one process per path), for the crash tests.

    python writer_process.py CHDB_PATH REDIS_URL CONSUMER crash|drain

`crash` writes one batch and dies (os._exit) after the ClickHouse insert, before the acknowledgement.
`drain` writes until the stream is empty. Both print the number of rows in the events table last."""

import asyncio
import os
import sys

import redis.asyncio as aioredis

from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.stores import ClickHousePool
from fieldmark.ingestion.adapters.clickhouse_store import ClickHouseEventStore
from fieldmark.ingestion.adapters.redis_stream import RedisEventStream
from fieldmark.ingestion.application.write_stream import StreamWriter, WriterSettings

SETTINGS = WriterSettings(batch_size=1000, batch_wait_s=0.05, abandoned_after_ms=300)


async def main(path: str, redis_url: str, consumer: str, mode: str) -> None:
    pool = ClickHousePool(f"chdb://{path}", "fieldmark", size=1)
    migrate_clickhouse(pool)
    client = aioredis.Redis.from_url(redis_url)
    stream = RedisEventStream(client, consumer)
    writer = StreamWriter(stream, ClickHouseEventStore(pool), SETTINGS)
    if mode == "crash":

        async def die_before_ack(entry_ids: list[str]) -> None:
            print(pool.run(lambda c: c.command("SELECT count() FROM events")), flush=True)
            os._exit(70)

        stream.ack = die_before_ack  # type: ignore[method-assign]
        await asyncio.sleep(0.4)  # so that a crashed consumer's batch counts as abandoned
        await writer.step()
        raise SystemExit("the crash writer found nothing to write")
    await asyncio.sleep(0.4)
    for _ in range(200):
        await writer.step()
        if await client.xlen("fm:events") == 0:
            break
    print(pool.run(lambda c: c.command("SELECT count() FROM events")), flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
