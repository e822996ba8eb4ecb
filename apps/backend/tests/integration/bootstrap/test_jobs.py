"""Background jobs: any process enqueues on the Redis broker; only the worker role runs them."""

import time
import uuid
from pathlib import Path

import dramatiq
import redis

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.roles import ALL_ROLES, Role
from tests.conftest import LiveServer, settings_for


def test_a_job_sent_from_a_collect_process_runs_in_the_worker(test_urls: EngineUrls, data_dir: Path) -> None:
    settings = settings_for(data_dir)
    marker = f"fm:test-job:{uuid.uuid4().hex}"
    store = redis.Redis.from_url(test_urls.redis_url)

    collect_app = create_app(AppContainer(settings=settings, urls=test_urls), frozenset({Role.COLLECT}))

    @dramatiq.actor(queue_name=f"test-{uuid.uuid4().hex[:8]}", max_retries=0)
    def mark(key: str, value: str) -> None:
        redis.Redis.from_url(test_urls.redis_url).set(key, value)

    with LiveServer(collect_app):
        mark.send(marker, "done")
        time.sleep(1.0)
        assert store.get(marker) is None  # a collect process does not run jobs

    worker_app = create_app(AppContainer(settings=settings, urls=test_urls), ALL_ROLES, writers=1)
    dramatiq.get_broker().declare_actor(mark)  # actors are declared on a broker before its worker starts
    with LiveServer(worker_app):
        deadline = time.monotonic() + 20
        while store.get(marker) is None and time.monotonic() < deadline:
            time.sleep(0.05)
    assert store.get(marker) == b"done"
