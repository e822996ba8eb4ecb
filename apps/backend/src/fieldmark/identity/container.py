"""Identity's container: it declares what it needs; bootstrap provides it."""

from typing import Any

from dependency_injector import containers, providers
from psycopg_pool import AsyncConnectionPool

from fieldmark.identity.adapters.argon2_hasher import Argon2PasswordHasher
from fieldmark.identity.adapters.mail import ConsoleMailer, JinjaMessageComposer, SmtpMailer
from fieldmark.identity.adapters.postgres_accounts import PsycopgAccountDirectory
from fieldmark.identity.adapters.postgres_api_keys import PsycopgApiKeyRepository
from fieldmark.identity.adapters.postgres_invitations import PsycopgInvitationRepository
from fieldmark.identity.adapters.postgres_shared_links import PsycopgSharedLinkRepository
from fieldmark.identity.adapters.postgres_teams import PsycopgTeamRepository
from fieldmark.identity.adapters.postgres_two_factor import PsycopgTwoFactorStore
from fieldmark.identity.adapters.postgres_users import PsycopgUserRepository
from fieldmark.identity.adapters.redis_sessions import (
    RedisChallenges,
    RedisLoginThrottle,
    RedisResetTokens,
    RedisSessionStore,
)
from fieldmark.identity.adapters.totp import PyotpTotp
from fieldmark.identity.application.api_keys import ApiKeys
from fieldmark.identity.application.audit_log import ReadAuditLog
from fieldmark.identity.application.authorize import Authorize
from fieldmark.identity.application.create_instance_admin import CreateInstanceAdmin
from fieldmark.identity.application.current_user import CurrentUser, LogOut
from fieldmark.identity.application.heatmap_tokens import IssueHeatmapToken
from fieldmark.identity.application.instance_admin import InstanceOverview
from fieldmark.identity.application.invitations import Invitations
from fieldmark.identity.application.log_in import LogIn
from fieldmark.identity.application.members import Members
from fieldmark.identity.application.passwords import Passwords
from fieldmark.identity.application.register_account import RegisterAccount
from fieldmark.identity.application.shared_links import SharedLinks
from fieldmark.identity.application.teams import CreateTeam, ListTeams, TeamSettings
from fieldmark.identity.application.two_factor import TwoFactor
from fieldmark.shared_kernel.clock import Clock


class IdentityContainer(containers.DeclarativeContainer):
    postgres: providers.Dependency[AsyncConnectionPool] = providers.Dependency(
        instance_of=AsyncConnectionPool
    )
    redis: providers.Dependency[Any] = providers.Dependency()
    clock: providers.Dependency[Clock] = providers.Dependency()
    audit: providers.Dependency[Any] = providers.Dependency()  # the audit log (PsycopgAuditLog)
    open_registration: providers.Dependency[bool] = providers.Dependency(instance_of=bool)
    site_ownership: providers.Dependency[Any] = providers.Dependency()  # SiteOwnership over Sites
    smtp_url: providers.Dependency[Any] = providers.Dependency()  # None: print emails on the console
    mail_from: providers.Dependency[str] = providers.Dependency(instance_of=str)
    base_url: providers.Dependency[str] = providers.Dependency(instance_of=str)
    secret: providers.Dependency[bytes] = providers.Dependency(instance_of=bytes)
    site_facts: providers.Dependency[Any] = providers.Dependency()  # SiteFacts over Sites

    users = providers.Singleton(PsycopgUserRepository, pool=postgres)
    heatmap_tokens = providers.Singleton(IssueHeatmapToken, secret=secret, clock=clock, sites=site_ownership)
    instance_overview = providers.Singleton(
        InstanceOverview,
        accounts=providers.Singleton(PsycopgAccountDirectory, pool=postgres),
        sites=site_ownership,
        registration=providers.Callable(lambda open_: "open" if open_ else "invite", open_registration),
    )
    password_hasher = providers.Singleton(Argon2PasswordHasher)
    sessions = providers.Singleton(RedisSessionStore, redis)
    throttle = providers.Singleton(RedisLoginThrottle, redis)
    teams = providers.Singleton(PsycopgTeamRepository, pool=postgres)
    two_factor_store = providers.Singleton(PsycopgTwoFactorStore, pool=postgres, secret_key=secret)
    create_instance_admin = providers.Factory(
        CreateInstanceAdmin, users=users, hasher=password_hasher, clock=clock, teams=teams
    )
    register_account = providers.Singleton(
        RegisterAccount,
        users=users,
        hasher=password_hasher,
        sessions=sessions,
        teams=teams,
        clock=clock,
        open_registration=open_registration,
    )
    current_user = providers.Singleton(CurrentUser, users=users, sessions=sessions)
    log_out = providers.Singleton(LogOut, sessions=sessions)
    create_team = providers.Singleton(CreateTeam, teams=teams, clock=clock)
    list_teams = providers.Singleton(ListTeams, teams=teams)
    api_key_store = providers.Singleton(PsycopgApiKeyRepository, pool=postgres)
    shared_link_store = providers.Singleton(PsycopgSharedLinkRepository, pool=postgres)
    api_keys = providers.Singleton(
        ApiKeys, keys=api_key_store, sites=site_ownership, clock=clock, audit=audit
    )
    authorize = providers.Singleton(
        Authorize,
        current_user=current_user,
        teams=teams,
        sites=site_ownership,
        keys=api_key_store,
        clock=clock,
        links=shared_link_store,
        secret=secret,
        two_factor=two_factor_store,
    )
    invitation_store = providers.Singleton(PsycopgInvitationRepository, pool=postgres)
    composer = providers.Singleton(JinjaMessageComposer)
    mailer = providers.Singleton(
        lambda url, sender: SmtpMailer(url, sender) if url else ConsoleMailer(sender), smtp_url, mail_from
    )
    invitations = providers.Singleton(
        Invitations,
        invitations=invitation_store,
        teams=teams,
        users=users,
        hasher=password_hasher,
        sessions=sessions,
        composer=composer,
        mailer=mailer,
        clock=clock,
        base_url=base_url,
        audit=audit,
    )
    members = providers.Singleton(Members, teams=teams, audit=audit)
    reset_tokens = providers.Singleton(RedisResetTokens, redis)
    passwords = providers.Singleton(
        Passwords,
        users=users,
        hasher=password_hasher,
        sessions=sessions,
        tokens=reset_tokens,
        composer=composer,
        mailer=mailer,
        base_url=base_url,
        audit=audit,
    )
    challenges = providers.Singleton(RedisChallenges, redis)
    two_factor = providers.Singleton(
        TwoFactor,
        store=two_factor_store,
        totp=providers.Singleton(PyotpTotp),
        challenges=challenges,
        sessions=sessions,
        users=users,
        hasher=password_hasher,
        throttle=throttle,
        audit=audit,
    )
    read_audit_log = providers.Singleton(ReadAuditLog, log=audit)
    log_in = providers.Singleton(
        LogIn,
        users=users,
        hasher=password_hasher,
        sessions=sessions,
        throttle=throttle,
        two_factor=two_factor_store,
        challenges=challenges,
        audit=audit,
    )
    shared_links = providers.Singleton(
        SharedLinks,
        links=shared_link_store,
        sites=site_facts,
        hasher=password_hasher,
        throttle=throttle,
        clock=clock,
        secret=secret,
        base_url=base_url,
        audit=audit,
    )
    team_settings = providers.Singleton(TeamSettings, teams=teams, two_factor=two_factor_store, audit=audit)
