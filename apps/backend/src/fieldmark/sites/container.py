"""Sites' container: it declares what it needs; bootstrap provides it."""

from dependency_injector import containers, providers
from psycopg_pool import AsyncConnectionPool

from fieldmark.shared_kernel.clock import Clock
from fieldmark.sites.adapters.postgres_sites import PsycopgSiteRepository
from fieldmark.sites.application.create_site import CreateSite


class SitesContainer(containers.DeclarativeContainer):
    postgres: providers.Dependency[AsyncConnectionPool] = providers.Dependency(
        instance_of=AsyncConnectionPool
    )
    clock: providers.Dependency[Clock] = providers.Dependency()

    sites = providers.Singleton(PsycopgSiteRepository, pool=postgres)
    create_site = providers.Factory(CreateSite, sites=sites, clock=clock)
