"""Goals, funnels and saved segments of a site: the definitions the Analytics context runs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from fieldmark.shared_kernel.access import EDIT_SITES
from fieldmark.shared_kernel.audit import Actor
from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from fieldmark.shared_kernel.ids import new_id
from fieldmark.sites.application.ports import DefinitionRepository
from fieldmark.sites.domain.definitions import (
    Funnel,
    Goal,
    Segment,
    check_currency,
    check_filters,
    check_name,
    check_steps,
    check_visibility,
    check_window,
    matcher,
)

MAX_GOALS = 100
MAX_FUNNELS = 50
MAX_SEGMENTS = 200


@dataclass(frozen=True)
class GoalInput:
    match: dict[str, Any]
    name: str = ""  # default: the matcher's label ("Visit /pricing", "Signup")
    currency: str | None = None  # set: a revenue goal


@dataclass(frozen=True)
class FunnelInput:
    name: str
    steps: list[dict[str, Any]]
    window_seconds: int | None = None


@dataclass(frozen=True)
class SegmentInput:
    name: str
    filters: list[Any]
    visibility: str = "personal"


class Goals:
    """Rules: names are unique per site (case-insensitively); a revenue goal is a custom-event goal with
    a currency; at most 100 goals a site."""

    def __init__(self, store: DefinitionRepository, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def list(self, site_id: UUID) -> list[Goal]:
        return await self._store.goals(site_id)

    def _build(self, site_id: UUID, goal_id: UUID, data: GoalInput) -> Goal:
        match = matcher(data.match, "match")
        name = check_name(data.name) if data.name.strip() else match.label()
        return Goal(goal_id, site_id, name, match, check_currency(data.currency, match), self._clock.now())

    async def create(self, site_id: UUID, data: GoalInput) -> Goal:
        goal = self._build(site_id, new_id(), data)
        if len(await self._store.goals(site_id)) >= MAX_GOALS:
            raise Conflict(f"a site has at most {MAX_GOALS} goals")
        await self._store.add_goal(goal)
        return goal

    async def replace(self, site_id: UUID, goal_id: UUID, data: GoalInput) -> Goal:
        goal = self._build(site_id, goal_id, data)
        if not await self._store.replace_goal(goal):
            raise NotFound("no such goal")
        return next(g for g in await self._store.goals(site_id) if g.id == goal_id)

    async def delete(self, site_id: UUID, goal_id: UUID) -> None:
        if not await self._store.delete_goal(site_id, goal_id):
            raise NotFound("no such goal")


class Funnels:
    """Rules: 2 to 8 ordered steps, each a pageview or custom-event matcher, no step repeating the one
    before it; a conversion window from one minute to 90 days (default one day); unique names."""

    def __init__(self, store: DefinitionRepository, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def list(self, site_id: UUID) -> list[Funnel]:
        return await self._store.funnels(site_id)

    def _build(self, site_id: UUID, funnel_id: UUID, data: FunnelInput) -> Funnel:
        return Funnel(
            funnel_id,
            site_id,
            check_name(data.name),
            check_steps(data.steps),
            check_window(data.window_seconds),
            self._clock.now(),
        )

    async def get(self, site_id: UUID, funnel_id: UUID) -> Funnel:
        found = [f for f in await self._store.funnels(site_id) if f.id == funnel_id]
        if not found:
            raise NotFound("no such funnel")
        return found[0]

    async def create(self, site_id: UUID, data: FunnelInput) -> Funnel:
        funnel = self._build(site_id, new_id(), data)
        if len(await self._store.funnels(site_id)) >= MAX_FUNNELS:
            raise Conflict(f"a site has at most {MAX_FUNNELS} funnels")
        await self._store.add_funnel(funnel)
        return funnel

    async def replace(self, site_id: UUID, funnel_id: UUID, data: FunnelInput) -> Funnel:
        funnel = self._build(site_id, funnel_id, data)
        if not await self._store.replace_funnel(funnel):
            raise NotFound("no such funnel")
        return await self.get(site_id, funnel_id)

    async def delete(self, site_id: UUID, funnel_id: UUID) -> None:
        if not await self._store.delete_funnel(site_id, funnel_id):
            raise NotFound("no such funnel")


class Segments:
    """Rules: anyone who sees a site may keep personal segments, seen and changed by their author alone
    (to anyone else they do not exist: 404). Shared ("site") segments are seen by everyone who sees the
    site and created, changed or deleted by editors and up. API keys keep only shared segments."""

    def __init__(self, store: DefinitionRepository, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def list(self, site_id: UUID, actor: Actor) -> list[Segment]:
        return [s for s in await self._store.segments(site_id) if _visible(s, actor)]

    async def get(self, site_id: UUID, segment_id: UUID, actor: Actor) -> Segment:
        found = [s for s in await self.list(site_id, actor) if s.id == segment_id]
        if not found:
            raise NotFound("no such segment")
        return found[0]

    def _build(self, site_id: UUID, segment_id: UUID, data: SegmentInput, actor: Actor) -> Segment:
        visibility = check_visibility(data.visibility)
        _may_write(visibility, actor)
        return Segment(
            segment_id,
            site_id,
            check_name(data.name),
            check_filters(data.filters),
            visibility,
            actor.user_id,
            self._clock.now(),
        )

    async def create(self, site_id: UUID, data: SegmentInput, actor: Actor) -> Segment:
        segment = self._build(site_id, new_id(), data, actor)
        if len(await self._store.segments(site_id)) >= MAX_SEGMENTS:
            raise Conflict(f"a site has at most {MAX_SEGMENTS} segments")
        await self._store.add_segment(segment)
        return segment

    async def replace(self, site_id: UUID, segment_id: UUID, data: SegmentInput, actor: Actor) -> Segment:
        current = await self.get(site_id, segment_id, actor)
        _may_write(current.visibility, actor)
        segment = replace(self._build(site_id, segment_id, data, actor), owner_id=current.owner_id)
        await self._store.replace_segment(segment)
        return await self.get(site_id, segment_id, actor) if _visible(segment, actor) else segment

    async def delete(self, site_id: UUID, segment_id: UUID, actor: Actor) -> None:
        current = await self.get(site_id, segment_id, actor)
        _may_write(current.visibility, actor)
        await self._store.delete_segment(site_id, segment_id)


def _visible(segment: Segment, actor: Actor) -> bool:
    return segment.visibility == "site" or (actor.user_id is not None and segment.owner_id == actor.user_id)


def _may_write(visibility: str, actor: Actor) -> None:
    if visibility == "site" and EDIT_SITES not in actor.permissions:
        raise PermissionDenied("only editors and up change the segments shared with the site")
    if visibility == "personal" and actor.user_id is None:
        raise InvalidInput(
            'an API key keeps only shared segments: visibility must be "site"', field="visibility"
        )
