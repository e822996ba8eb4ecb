"""A team's API keys over HTTP: create (the key is shown once), list, revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from fieldmark.identity.application.api_keys import ApiKeys
from fieldmark.identity.application.authorize import Caller
from fieldmark.identity.domain.api_key import ApiKey
from fieldmark.shared_kernel.access import MANAGE_MEMBERS, TEAM, access
from fieldmark.shared_kernel.ids import TeamId


class NewKey(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    scopes: list[str]
    site_ids: list[UUID] | None = None  # None (or left out): every site of the team, later ones included


class KeyOut(msgspec.Struct, frozen=True):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    site_ids: list[str] | None  # null: every site of the team
    created_at: datetime
    last_used_at: datetime | None


class CreatedKey(msgspec.Struct, frozen=True):
    api_key: KeyOut
    key: str  # shown this once; only a hash is kept


def _out(key: ApiKey) -> KeyOut:
    return KeyOut(
        str(key.id),
        key.name,
        key.prefix,
        list(key.scopes),
        None if key.site_ids is None else [str(s) for s in key.site_ids],
        key.created_at,
        key.last_used_at,
    )


def _keys(request: Request[Any, Any, State]) -> ApiKeys:
    keys: ApiKeys = request.app.state.identity.api_keys
    return keys


class ApiKeysController(Controller):
    path = "/api/teams/{team_id:uuid}/api-keys"
    tags = ["Teams"]

    @post(
        "/",
        operation_id="createApiKey",
        opt=access(TEAM, MANAGE_MEMBERS),
        summary="Create an API key (send it as `Authorization: Bearer <key>`)",
        description="201 with the key, shown only now. Scopes: stats:read, events:write, sites:manage. "
        "`site_ids` limits the key to those sites; left out (or null), the key covers every site of the "
        "team, later ones included. A limit never widens: a deleted site leaves the keys limited to it, and "
        "a key whose last site is deleted is revoked. 400 for an empty name, an unknown scope, an empty "
        "`site_ids` or a site of another team.",
    )
    async def create(
        self, request: Request[Any, Any, State], team_id: FromPath[UUID], data: JSONBody[NewKey]
    ) -> CreatedKey:
        caller: Caller = request.state.caller
        key, secret = await _keys(request).create(
            caller.person, TeamId(team_id), data.name, data.scopes, data.site_ids
        )
        return CreatedKey(_out(key), secret)

    @get(
        "/",
        operation_id="listApiKeys",
        opt=access(TEAM, MANAGE_MEMBERS),
        summary="Live keys, without secrets",
    )
    async def list_keys(self, request: Request[Any, Any, State], team_id: FromPath[UUID]) -> list[KeyOut]:
        return [_out(k) for k in await _keys(request).list(TeamId(team_id))]

    @delete(
        "/{key_id:uuid}",
        operation_id="revokeApiKey",
        opt=access(TEAM, MANAGE_MEMBERS),
        summary="Revoke a key: it stops working at once",
    )
    async def revoke(
        self, request: Request[Any, Any, State], team_id: FromPath[UUID], key_id: FromPath[UUID]
    ) -> None:
        caller: Caller = request.state.caller
        await _keys(request).revoke(TeamId(team_id), key_id, caller.user)
