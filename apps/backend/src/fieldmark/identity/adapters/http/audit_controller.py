"""The audit log over HTTP: a team's for its admins and owners, and each person's own sign-ins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter

from fieldmark.identity.application.audit_log import AuditPage, ReadAuditLog
from fieldmark.identity.application.authorize import Caller
from fieldmark.shared_kernel.access import MANAGE_MEMBERS, TEAM, USER, access
from fieldmark.shared_kernel.audit import AuditRecord
from fieldmark.shared_kernel.ids import TeamId

Before = Annotated[int | None, QueryParameter(description="`next_before` of the previous page")]
Limit = Annotated[int, QueryParameter(description="records per page, 1 to 200")]


class AuditEntryOut(msgspec.Struct, frozen=True):
    id: int
    at: datetime
    action: str
    actor_user_id: str | None
    actor_email: str | None
    actor_api_key_id: str | None
    target: str
    detail: dict[str, str]


class AuditPageOut(msgspec.Struct, frozen=True):
    entries: list[AuditEntryOut]
    next_before: int | None


def _id(value: UUID | None) -> str | None:
    return str(value) if value else None


def _entry(record: AuditRecord) -> AuditEntryOut:
    event = record.event
    return AuditEntryOut(
        record.id,
        record.at,
        event.action,
        _id(event.actor_user),
        record.actor_email,
        _id(event.actor_key),
        event.target,
        event.detail,
    )


def _out(page: AuditPage) -> AuditPageOut:
    return AuditPageOut([_entry(r) for r in page.records], page.next_before)


def _log(request: Request[Any, Any, State]) -> ReadAuditLog:
    log: ReadAuditLog = request.app.state.identity.audit
    return log


class AuditController(Controller):
    tags = ["Audit log"]

    @get(
        "/api/teams/{team_id:uuid}/audit",
        operation_id="teamAuditLog",
        opt=access(TEAM, MANAGE_MEMBERS),
        summary="A team's security-relevant actions, newest first",
        description="200 with a page of entries: role changes, removals, invitations, API keys, "
        "shared links, site deletions. `next_before` pages back; null on the last page. 400 for a "
        "limit outside 1 to 200; 401 when not signed in; 403 below admin.",
    )
    async def team_log(
        self,
        request: Request[Any, Any, State],
        team_id: FromPath[UUID],
        before: Before = None,
        limit: Limit = 50,
    ) -> AuditPageOut:
        return _out(await _log(request).of_team(TeamId(team_id), before, limit))

    @get(
        "/api/auth/activity",
        operation_id="myActivity",
        opt=access(USER),
        summary="The caller's own sign-ins and failed sign-ins, newest first",
        description="200 with a page of entries (`login.succeeded`, `login.failed`, `password.changed`, "
        "`password.reset`, `two_factor.enabled`, ...); 401 when not signed in.",
    )
    async def my_activity(
        self, request: Request[Any, Any, State], before: Before = None, limit: Limit = 50
    ) -> AuditPageOut:
        caller: Caller = request.state.caller
        return _out(await _log(request).of_user(caller.person.id, before, limit))
