"""Sites's container: it declares what it needs; bootstrap provides it."""

from typing import Any

from dependency_injector import containers, providers


class SitesContainer(containers.DeclarativeContainer):
    postgres: providers.Dependency[Any] = providers.Dependency()  # typed when its adapters land
