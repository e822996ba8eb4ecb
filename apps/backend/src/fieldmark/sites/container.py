"""Sites' container: it declares what it needs; bootstrap provides it."""

from typing import Any

from dependency_injector import containers, providers
from psycopg_pool import AsyncConnectionPool

from fieldmark.shared_kernel.clock import Clock
from fieldmark.sites.adapters.postgres_definitions import PsycopgDefinitionRepository
from fieldmark.sites.adapters.postgres_sites import PsycopgSiteRepository
from fieldmark.sites.application.create_site import CreateSite
from fieldmark.sites.application.definitions import Funnels, Goals, Segments
from fieldmark.sites.application.edit_site import EditSite
from fieldmark.sites.application.manage_sites import DeleteSite, GetSite, ListSites, ResetSiteData


class SitesContainer(containers.DeclarativeContainer):
    postgres: providers.Dependency[AsyncConnectionPool] = providers.Dependency(
        instance_of=AsyncConnectionPool
    )
    clock: providers.Dependency[Clock] = providers.Dependency()
    eraser: providers.Dependency[Any] = providers.Dependency()  # SiteDataEraser over Ingestion
    audit: providers.Dependency[Any] = providers.Dependency()  # AuditTrail, kept by Identity
    retention: providers.Dependency[Any] = providers.Dependency()  # RetentionPolicy, over Reporting

    sites = providers.Singleton(PsycopgSiteRepository, pool=postgres)
    create_site = providers.Factory(CreateSite, sites=sites, clock=clock)
    list_sites = providers.Singleton(ListSites, sites=sites)
    get_site = providers.Singleton(GetSite, sites=sites)
    delete_site = providers.Singleton(DeleteSite, sites=sites, eraser=eraser, audit=audit)
    reset_site_data = providers.Singleton(ResetSiteData, sites=sites, eraser=eraser, audit=audit)
    edit_site = providers.Singleton(EditSite, sites=sites, retention=retention)
    definitions = providers.Singleton(PsycopgDefinitionRepository, pool=postgres)
    goals = providers.Singleton(Goals, store=definitions, clock=clock)
    funnels = providers.Singleton(Funnels, store=definitions, clock=clock)
    segments = providers.Singleton(Segments, store=definitions, clock=clock)
