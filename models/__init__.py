"""Jejaring's data model: SQLModel tables and their API schemas, one module per domain.

Importing this package registers every table on ``SQLModel.metadata``.
"""

from models.benefits import Benefit
from models.forums import Commitment, Meeting, MeetingAttendance, WorkItem
from models.graduation import Graduation, ReadinessRule
from models.households import Business, Facilitator, FacilitatorVillage, Household, KpmGroup
from models.idempotency import IdempotencyKey
from models.invitations import ForumInvitation
from models.jobs import Job, Upload
from models.monitoring import BusinessCheckin
from models.network import Forum, ForumMember, Partnership
from models.notifications import Notification, NotificationDelivery, NotificationSettings
from models.organizations import (
    HsdsExternalId,
    Location,
    Organization,
    Program,
    ProgramLocation,
    ProgramRevision,
    ProgramServiceArea,
)
from models.pathways import Pathway, PathwayStep
from models.privacy import DataSubjectRequest
from models.referrals import Consent, Referral, ReferralEvent
from models.regions import Region, RegionBoundary
from models.types import Timestamped, Versioned
from models.users import AuditEvent, User

__all__ = [
    "AuditEvent",
    "Benefit",
    "Business",
    "BusinessCheckin",
    "Commitment",
    "Consent",
    "DataSubjectRequest",
    "Facilitator",
    "FacilitatorVillage",
    "Forum",
    "ForumInvitation",
    "ForumMember",
    "Graduation",
    "Household",
    "HsdsExternalId",
    "IdempotencyKey",
    "Job",
    "KpmGroup",
    "Location",
    "Meeting",
    "MeetingAttendance",
    "Notification",
    "NotificationDelivery",
    "NotificationSettings",
    "Organization",
    "Partnership",
    "Pathway",
    "PathwayStep",
    "Program",
    "ProgramLocation",
    "ProgramRevision",
    "ProgramServiceArea",
    "ReadinessRule",
    "Referral",
    "ReferralEvent",
    "Region",
    "RegionBoundary",
    "Timestamped",
    "Upload",
    "User",
    "Versioned",
    "WorkItem",
]
