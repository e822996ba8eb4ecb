"""The instance administrator's view of the whole instance."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import QueryParameter

from fieldmark.identity.application.authorize import Caller
from fieldmark.identity.application.instance_admin import InstanceOverview
from fieldmark.shared_kernel.access import USER, access


class AccountOut(msgspec.Struct, frozen=True):
    id: str
    email: str
    name: str
    is_instance_admin: bool
    two_factor: bool
    teams: int
    created_at: datetime


class InstanceOut(msgspec.Struct, frozen=True):
    accounts: int
    teams: int
    sites: int
    registration: str
    page: list[AccountOut]


class AdminController(Controller):
    tags = ["Instance"]

    @get(
        "/api/admin/instance",
        operation_id="instanceOverview",
        opt=access(USER),
        summary="The instance: accounts, teams and sites, and a page of accounts (instance administrators)",
        description="200 with the counts, the registration mode (`invite` or `open`) and accounts oldest "
        "first. 401 when not signed in; 403 for anyone but an instance administrator; 400 for a limit "
        "outside 1 to 200 or a negative offset.",
    )
    async def instance(
        self,
        request: Request[Any, Any, State],
        limit: Annotated[int, QueryParameter(description="accounts per page, 1 to 200")] = 50,
        offset: Annotated[int, QueryParameter(description="accounts to skip")] = 0,
    ) -> InstanceOut:
        use_case: InstanceOverview = request.app.state.identity.instance_overview
        caller: Caller = request.state.caller
        facts = await use_case.execute(caller.person, limit, offset)
        return InstanceOut(
            facts.accounts,
            facts.teams,
            facts.sites,
            facts.registration,
            [
                AccountOut(
                    str(a.user.id),
                    a.user.email,
                    a.user.name,
                    a.user.is_instance_admin,
                    a.two_factor,
                    a.teams,
                    a.user.created_at,
                )
                for a in facts.page
            ],
        )
