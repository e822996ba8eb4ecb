"""One person's data over HTTP: export it (GDPR article 15) or erase it (article 17)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.response import Stream

from fieldmark.reporting.adapters.http.files import file_operation
from fieldmark.reporting.application.persons import PersonData
from fieldmark.shared_kernel.access import MANAGE_SITES, SITE, SITES_MANAGE, access


class PersonIn(msgspec.Struct, forbid_unknown_fields=True):
    person: str  # the id the site gives them with fieldmark('identify', id)


class ErasedOut(msgspec.Struct, frozen=True):
    deleted: int


class PersonsController(Controller):
    tags = ["Personal data"]

    @post(
        "/api/sites/{site_id:uuid}/persons/export",
        operation_id="exportPerson",
        opt=access(SITE, MANAGE_SITES, key_scope=SITES_MANAGE),
        summary="Every event tied to one identified person, as CSV (GDPR article 15)",
        description="200 `text/csv`, streamed: the events recorded under the id the site gave the "
        "person, and the rest of the visits they were in; a header row only when there are none. Admins "
        "and owners (or a key with `sites:manage`); 400 for a missing or overlong `person`; the audit log "
        "records it with the hashed id.",
        status_code=200,
        operation_class=file_operation("The person's events as CSV", "text/csv"),
    )
    async def export(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[PersonIn]
    ) -> Stream:
        use_case: PersonData = request.app.state.reporting.persons
        chunks = await use_case.export(site_id, data.person, request.state.actor)
        return Stream(
            chunks,
            media_type="text/csv",  # Litestar adds the charset
            headers={"Content-Disposition": 'attachment; filename="person-events.csv"'},
        )

    @post(
        "/api/sites/{site_id:uuid}/persons/erase",
        operation_id="erasePerson",
        opt=access(SITE, MANAGE_SITES, key_scope=SITES_MANAGE),
        summary="Delete every event tied to one identified person (GDPR article 17)",
        description="200 `{deleted}`: the events recorded under the id the site gave the person and the rest "
        "of the visits they were in, gone from every read at once. Admins and owners (or a key with "
        "`sites:manage`); 400 for a missing or overlong `person`; audited with the hashed id.",
        status_code=200,
    )
    async def erase(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[PersonIn]
    ) -> ErasedOut:
        use_case: PersonData = request.app.state.reporting.persons
        return ErasedOut(await use_case.erase(site_id, data.person, request.state.actor))
