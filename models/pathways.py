"""Pathways: an ordered sequence of programmes or programme kinds towards a goal (graduation).

A pathway belongs to an organisation or a forum (exactly one) and serves a region; each step
names either one programme (``program_id``) or a programme kind (``program_kind``: any programme
of that kind serving the family's area). Whether a family completed a step, and which step comes
next for it, is computed from its referrals (``mapping.pathways``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from models.organizations import ProgramKind
from models.types import DbId, Name, NoNul, RegionCode, Version, Versioned, enum_column

MAX_STEPS = 20
Goal = Annotated[str, PydanticField(max_length=1000), NoNul]
StepLabel = Annotated[str, PydanticField(max_length=120), NoNul]

ONE_OWNER = "(organization_id IS NULL) <> (forum_id IS NULL)"
ONE_TARGET = "(program_id IS NULL) <> (program_kind IS NULL)"


class Pathway(Versioned, table=True):
    """A pathway of an organisation or a forum, for the families of one region."""

    __table_args__ = (sa.CheckConstraint(ONE_OWNER, name="one_owner"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    goal: str | None = Field(default=None, max_length=1000)
    region_code: str = Field(foreign_key="region.code", index=True, max_length=13)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True, ondelete="CASCADE")
    forum_id: int | None = Field(default=None, foreign_key="forum.id", index=True, ondelete="CASCADE")
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")


class PathwayStep(SQLModel, table=True):
    """One step of a pathway, at its position (0 first): a programme or a programme kind."""

    __tablename__ = "pathway_step"
    __table_args__ = (
        sa.UniqueConstraint("pathway_id", "position"),
        sa.CheckConstraint(ONE_TARGET, name="one_target"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pathway_id: int = Field(foreign_key="pathway.id", index=True, ondelete="CASCADE")
    position: int
    program_id: int | None = Field(default=None, foreign_key="program.id", index=True, ondelete="CASCADE")
    program_kind: ProgramKind | None = enum_column(ProgramKind, nullable=True, name="pathwaystep_kind", default=None)
    label: str | None = Field(default=None, max_length=120)


# --- API schemas --------------------------------------------------------------------------------


class PathwayStepIn(SQLModel):
    """A step: send ``program_id`` (one programme) or ``program_kind`` (any programme of that kind
    serving the family's area), not both; ``label`` names it on the pages (optional)."""

    program_id: DbId | None = None
    program_kind: ProgramKind | None = None
    label: StepLabel | None = None


class PathwayCreate(SQLModel):
    name: Name
    goal: Goal | None = None
    region_code: RegionCode
    steps: list[PathwayStepIn] = PydanticField(min_length=1, max_length=MAX_STEPS)
    organization_id: DbId | None = PydanticField(
        default=None, description="The owning organisation (admins; agency staff: their own, the default)"
    )
    forum_id: DbId | None = PydanticField(
        default=None, description="The owning forum (admins; forum organisers: their own, the default)"
    )


class PathwayUpdate(SQLModel):
    version: Version | None = Field(default=None, description="The version you read (or send its ETag in If-Match)")
    name: Name | None = None
    goal: Goal | None = None
    region_code: RegionCode | None = None
    steps: list[PathwayStepIn] | None = PydanticField(default=None, min_length=1, max_length=MAX_STEPS)


class PathwayStepPublic(SQLModel):
    position: int
    program_id: int | None
    program_name: str | None = None
    program_kind: ProgramKind | None
    label: str | None


class PathwayPublic(SQLModel):
    id: int
    name: str
    goal: str | None
    region_code: str
    region_name: str | None = None
    owner_kind: str  # "organization" or "forum"
    organization_id: int | None
    forum_id: int | None
    owner_name: str
    steps: list[PathwayStepPublic]
    can_edit: bool = False
    version: int
    created_at: datetime
    updated_at: datetime


class NextStepReason(SQLModel):
    field: str
    result: str
    message: str


class NextStepProgram(SQLModel):
    program_id: int
    program_name: str
    organization_name: str
    status: str  # eligible, unknown, ineligible


class NextStep(SQLModel):
    """A pathway's next step for one family: what it is, whether the family may take it, and why not."""

    pathway_id: int
    pathway_name: str
    goal: str | None
    steps_total: int
    steps_completed: int
    completed: bool  # every step done
    position: int | None  # the next step's position (None: completed)
    step: PathwayStepPublic | None
    status: str  # eligible, unknown, ineligible, in_progress, unavailable, completed
    programs: list[NextStepProgram] = []
    lacks: list[NextStepReason] = []


class NextSteps(SQLModel):
    household_id: int
    items: list[NextStep]


class FunnelStep(SQLModel):
    position: int
    label: str
    at_step: int | None  # families whose next step this is (withheld: None)


class PathwayFunnel(SQLModel):
    pathway_id: int
    pathway_name: str
    region_code: str
    families: int | None
    steps: list[FunnelStep]
    completed: int | None
    withheld: bool = False
