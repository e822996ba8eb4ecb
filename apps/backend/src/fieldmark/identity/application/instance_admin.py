"""What the instance administrator sees of the whole instance."""

from __future__ import annotations

from dataclasses import dataclass

from fieldmark.identity.application.ports import AccountDirectory, AccountSummary, SiteOwnership
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.errors import InvalidInput, PermissionDenied


@dataclass(frozen=True)
class InstanceFacts:
    accounts: int
    teams: int
    sites: int
    registration: str
    page: list[AccountSummary]


class InstanceOverview:
    """Counts of accounts, teams and sites, the registration mode, and a page of accounts (oldest first).
    Rules: instance administrators only (the first account of an instance, or `fieldmark create-admin`);
    anyone else signed in gets 403. A page holds 1 to 200 accounts."""

    def __init__(self, accounts: AccountDirectory, sites: SiteOwnership, registration: str) -> None:
        self._accounts = accounts
        self._sites = sites
        self._registration = registration

    async def execute(self, caller: User, limit: int = 50, offset: int = 0) -> InstanceFacts:
        if not caller.is_instance_admin:
            raise PermissionDenied("only an instance administrator sees the instance")
        if not 1 <= limit <= 200:
            raise InvalidInput("limit is from 1 to 200", field="limit")
        if offset < 0:
            raise InvalidInput("offset is 0 or more", field="offset")
        accounts, teams = await self._accounts.totals()
        return InstanceFacts(
            accounts,
            teams,
            await self._sites.count(),
            self._registration,
            await self._accounts.accounts(limit, offset),
        )
