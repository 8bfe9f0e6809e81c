"""Typed SQLAlchemy models, one module per aggregate, re-exported here."""

from models.base import Base, utcnow
from models.calendar_store import CalendarDay
from models.kf import KF_PREFIX, KfCursor, KfCustomer
from models.ledgers import (
    Channel,
    LedgerEntry,
    PayMethod,
    PostType,
    PublicPost,
    Training,
    TrainingMode,
    WagePayment,
    WorkRecord,
)
from models.messaging import (
    AccessToken,
    InboundMessage,
    Job,
    JobStatus,
    Lease,
    OutboxMessage,
    OutboxStatus,
)
from models.payroll import PayrollNotice
from models.people import ROLE_LABELS, Contact, PriorityGroup, ProjectWorker, Role, Worker
from models.policy import PolicyDocument
from models.project import (
    STATUS_LABELS,
    Project,
    ProjectCategory,
    ProjectLiaison,
    ProjectStatus,
    Region,
    RegionLevel,
)
from models.reminders import Escalation, ReminderRun
from models.reports import AuditLog, ComplaintStatus, QuarterlyReport, WageComplaint
from models.security import BindingAttempt, BindOutcome, RateCounter
from models.web import WebLinkUse, WebUpload

__all__ = [
    "CalendarDay",
    "KF_PREFIX",
    "ROLE_LABELS",
    "STATUS_LABELS",
    "AccessToken",
    "AuditLog",
    "Base",
    "BindOutcome",
    "BindingAttempt",
    "Channel",
    "ComplaintStatus",
    "Contact",
    "Escalation",
    "InboundMessage",
    "Job",
    "KfCursor",
    "KfCustomer",
    "JobStatus",
    "LedgerEntry",
    "Lease",
    "OutboxMessage",
    "OutboxStatus",
    "PayMethod",
    "PayrollNotice",
    "PolicyDocument",
    "PostType",
    "PriorityGroup",
    "Project",
    "ProjectCategory",
    "ProjectLiaison",
    "ProjectStatus",
    "ProjectWorker",
    "PublicPost",
    "QuarterlyReport",
    "RateCounter",
    "Region",
    "RegionLevel",
    "ReminderRun",
    "Role",
    "Training",
    "TrainingMode",
    "WageComplaint",
    "WebLinkUse",
    "WebUpload",
    "WagePayment",
    "WorkRecord",
    "Worker",
    "utcnow",
]
