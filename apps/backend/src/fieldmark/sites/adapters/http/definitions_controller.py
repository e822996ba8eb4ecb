"""Goals, funnels and saved segments of a site over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from fieldmark.shared_kernel.access import EDIT_SITES, SITE, SITES_MANAGE, STATS_READ, VIEW, access
from fieldmark.shared_kernel.audit import Actor
from fieldmark.sites.application.definitions import (
    FunnelInput,
    Funnels,
    GoalInput,
    Goals,
    SegmentInput,
    Segments,
)
from fieldmark.sites.domain.definitions import Funnel, Goal, Segment, matcher_out, path_regex

SITE_PATH = "/api/sites/{site_id:uuid}"


class GoalBody(msgspec.Struct, forbid_unknown_fields=True):
    match: dict[str, Any]
    name: str = ""
    currency: str | None = None


class GoalOut(msgspec.Struct, frozen=True):
    id: str
    name: str
    kind: str  # pageview, event or revenue
    match: dict[str, Any]
    currency: str | None
    path_regex: str | None  # for a pageview goal: the regular expression its pattern stands for
    created_at: datetime


class FunnelBody(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    steps: list[dict[str, Any]]
    window_seconds: int | None = None


class FunnelOut(msgspec.Struct, frozen=True):
    id: str
    name: str
    steps: list[dict[str, Any]]
    window_seconds: int
    created_at: datetime


class SegmentBody(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    filters: list[Any]
    visibility: str = "personal"


class SegmentOut(msgspec.Struct, frozen=True):
    id: str
    name: str
    filters: list[Any]
    visibility: str
    owner_id: str | None
    created_at: datetime


def _goal(goal: Goal) -> GoalOut:
    regex = path_regex(goal.match.path) if goal.match.kind == "pageview" else None
    return GoalOut(
        str(goal.id), goal.name, goal.kind, matcher_out(goal.match), goal.currency, regex, goal.created_at
    )


def _funnel(funnel: Funnel) -> FunnelOut:
    return FunnelOut(
        str(funnel.id),
        funnel.name,
        [matcher_out(s) for s in funnel.steps],
        int(funnel.window.total_seconds()),
        funnel.created_at,
    )


def _segment(segment: Segment) -> SegmentOut:
    return SegmentOut(
        str(segment.id),
        segment.name,
        segment.filters,
        segment.visibility,
        str(segment.owner_id) if segment.owner_id else None,
        segment.created_at,
    )


def _goals(request: Request[Any, Any, State]) -> Goals:
    goals: Goals = request.app.state.sites.goals
    return goals


def _funnels(request: Request[Any, Any, State]) -> Funnels:
    funnels: Funnels = request.app.state.sites.funnels
    return funnels


def _segments(request: Request[Any, Any, State]) -> Segments:
    segments: Segments = request.app.state.sites.segments
    return segments


_READ = access(SITE, VIEW, key_scope=STATS_READ, shared=True)  # a shared dashboard shows goals, funnels
_WRITE = access(SITE, EDIT_SITES, key_scope=SITES_MANAGE)
_MATCHER_ERRORS = "400 names the field (`match`, `steps[i]`, `name`, `currency`, `window_seconds`)"


class GoalsController(Controller):
    path = SITE_PATH + "/goals"
    tags = ["Goals"]

    @get("/", operation_id="listGoals", opt=_READ, summary="The site's goals")
    async def list_goals(self, request: Request[Any, Any, State], site_id: FromPath[UUID]) -> list[GoalOut]:
        return [_goal(g) for g in await _goals(request).list(site_id)]

    @post(
        "/",
        operation_id="createGoal",
        opt=_WRITE,
        summary="Add a pageview, custom-event or revenue goal (editors and up)",
        description=f"201. {_MATCHER_ERRORS}; 409 for a name the site already uses, or past 100 goals.",
    )
    async def create_goal(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[GoalBody]
    ) -> GoalOut:
        return _goal(await _goals(request).create(site_id, GoalInput(data.match, data.name, data.currency)))

    @put(
        "/{goal_id:uuid}",
        operation_id="replaceGoal",
        opt=_WRITE,
        summary="Change a goal",
        description=f"200. {_MATCHER_ERRORS}; 404 for an unknown goal; 409 for a taken name.",
    )
    async def replace_goal(
        self,
        request: Request[Any, Any, State],
        site_id: FromPath[UUID],
        goal_id: FromPath[UUID],
        data: JSONBody[GoalBody],
    ) -> GoalOut:
        return _goal(
            await _goals(request).replace(site_id, goal_id, GoalInput(data.match, data.name, data.currency))
        )

    @delete("/{goal_id:uuid}", operation_id="deleteGoal", opt=_WRITE, summary="Delete a goal (204; 404)")
    async def delete_goal(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], goal_id: FromPath[UUID]
    ) -> None:
        await _goals(request).delete(site_id, goal_id)


class FunnelsController(Controller):
    path = SITE_PATH + "/funnels"
    tags = ["Funnels"]

    @get("/", operation_id="listFunnels", opt=_READ, summary="The site's funnel definitions")
    async def list_funnels(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID]
    ) -> list[FunnelOut]:
        return [_funnel(f) for f in await _funnels(request).list(site_id)]

    @get("/{funnel_id:uuid}", operation_id="getFunnel", opt=_READ, summary="One funnel definition (404)")
    async def get_funnel(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], funnel_id: FromPath[UUID]
    ) -> FunnelOut:
        return _funnel(await _funnels(request).get(site_id, funnel_id))

    @post(
        "/",
        operation_id="createFunnel",
        opt=_WRITE,
        summary="Define a funnel: 2 to 8 ordered steps and a conversion window (editors and up)",
        description=f"201. {_MATCHER_ERRORS}; 409 for a taken name, or past 50 funnels.",
    )
    async def create_funnel(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[FunnelBody]
    ) -> FunnelOut:
        command = FunnelInput(data.name, data.steps, data.window_seconds)
        return _funnel(await _funnels(request).create(site_id, command))

    @put(
        "/{funnel_id:uuid}",
        operation_id="replaceFunnel",
        opt=_WRITE,
        summary="Change a funnel",
        description=f"200. {_MATCHER_ERRORS}; 404 for an unknown funnel; 409 for a taken name.",
    )
    async def replace_funnel(
        self,
        request: Request[Any, Any, State],
        site_id: FromPath[UUID],
        funnel_id: FromPath[UUID],
        data: JSONBody[FunnelBody],
    ) -> FunnelOut:
        command = FunnelInput(data.name, data.steps, data.window_seconds)
        return _funnel(await _funnels(request).replace(site_id, funnel_id, command))

    @delete(
        "/{funnel_id:uuid}", operation_id="deleteFunnel", opt=_WRITE, summary="Delete a funnel (204; 404)"
    )
    async def delete_funnel(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], funnel_id: FromPath[UUID]
    ) -> None:
        await _funnels(request).delete(site_id, funnel_id)


class SegmentsController(Controller):
    path = SITE_PATH + "/segments"
    tags = ["Segments"]

    @get(
        "/",
        operation_id="listSegments",
        opt=access(SITE, VIEW, key_scope=STATS_READ),
        summary="Segments the caller may use: those shared with the site and the caller's own",
    )
    async def list_segments(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID]
    ) -> list[SegmentOut]:
        actor: Actor = request.state.actor
        return [_segment(s) for s in await _segments(request).list(site_id, actor)]

    @post(
        "/",
        operation_id="createSegment",
        opt=access(SITE, VIEW, key_scope=SITES_MANAGE),
        summary="Save a segment: named filters, personal or shared with the site",
        description="201. Anyone who sees the site may save personal segments; shared ones need an editor "
        "(403 otherwise). 400 for filters outside the Stats API v2 form (`field: filters`), an empty name "
        "or an unknown visibility; 409 past 200 segments.",
    )
    async def create_segment(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[SegmentBody]
    ) -> SegmentOut:
        command = SegmentInput(data.name, data.filters, data.visibility)
        return _segment(await _segments(request).create(site_id, command, request.state.actor))

    @put(
        "/{segment_id:uuid}",
        operation_id="replaceSegment",
        opt=access(SITE, VIEW, key_scope=SITES_MANAGE),
        summary="Change a segment: one's own personal ones; shared ones as an editor",
        description="200; 403 for a shared segment below editor; 404 for another person's personal segment.",
    )
    async def replace_segment(
        self,
        request: Request[Any, Any, State],
        site_id: FromPath[UUID],
        segment_id: FromPath[UUID],
        data: JSONBody[SegmentBody],
    ) -> SegmentOut:
        command = SegmentInput(data.name, data.filters, data.visibility)
        return _segment(await _segments(request).replace(site_id, segment_id, command, request.state.actor))

    @delete(
        "/{segment_id:uuid}",
        operation_id="deleteSegment",
        opt=access(SITE, VIEW, key_scope=SITES_MANAGE),
        summary="Delete a segment (204); the same rules as changing it",
    )
    async def delete_segment(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], segment_id: FromPath[UUID]
    ) -> None:
        await _segments(request).delete(site_id, segment_id, request.state.actor)
