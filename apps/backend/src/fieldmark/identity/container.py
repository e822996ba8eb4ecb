"""Identity's container: it declares what it needs; bootstrap provides it."""

from dependency_injector import containers, providers
from psycopg_pool import AsyncConnectionPool

from fieldmark.identity.adapters.argon2_hasher import Argon2PasswordHasher
from fieldmark.identity.adapters.postgres_users import PsycopgUserRepository
from fieldmark.identity.application.create_instance_admin import CreateInstanceAdmin
from fieldmark.shared_kernel.clock import Clock


class IdentityContainer(containers.DeclarativeContainer):
    postgres: providers.Dependency[AsyncConnectionPool] = providers.Dependency(
        instance_of=AsyncConnectionPool
    )
    clock: providers.Dependency[Clock] = providers.Dependency()

    users = providers.Singleton(PsycopgUserRepository, pool=postgres)
    password_hasher = providers.Singleton(Argon2PasswordHasher)
    create_instance_admin = providers.Factory(
        CreateInstanceAdmin, users=users, hasher=password_hasher, clock=clock
    )
