"""Ingestion's container: it declares what it needs; bootstrap provides it."""

from typing import Any

from dependency_injector import containers, providers


class IngestionContainer(containers.DeclarativeContainer):
    redis: providers.Dependency[Any] = providers.Dependency()  # typed when its adapters land
    postgres: providers.Dependency[Any] = providers.Dependency()  # typed when its adapters land
    clickhouse: providers.Dependency[Any] = providers.Dependency()  # typed when its adapters land
