"""Analytics's container: it declares what it needs; bootstrap provides it."""

from typing import Any

from dependency_injector import containers, providers


class AnalyticsContainer(containers.DeclarativeContainer):
    clickhouse: providers.Dependency[Any] = providers.Dependency()  # typed when its adapters land
    redis: providers.Dependency[Any] = providers.Dependency()  # typed when its adapters land
