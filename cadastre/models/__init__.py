"""The registry's tables as SQLAlchemy 2 typed models (GeoAlchemy2 geometries, EPSG:4326)."""

from cadastre.models.base import Base
from cadastre.models.border_zones import BorderZone
from cadastre.models.boundaries import BorderLine, BoundaryDataset, Country
from cadastre.models.consents import LicenceConsent
from cadastre.models.documents import LicenceDocument
from cadastre.models.history import HistoryHead, HolderEvent
from cadastre.models.holders import Holder
from cadastre.models.imports import ImportRun, LicenceConflict
from cadastre.models.licences import Licence, LicenceCodeCounter, LicenceEvent
from cadastre.models.money import LedgerEvent, OrderToPay, Payment, PaymentAllocation
from cadastre.models.notices import LicenceNotice
from cadastre.models.obligations import LicenceObligation
from cadastre.models.outbox import OutboxMessage
from cadastre.models.procedure import LicenceStage
from cadastre.models.training import ScenarioState, TrainingAnswer
from cadastre.models.users import ApiToken, AppSecret, SignInFailure, User
from cadastre.models.workspace import Workspace

__all__ = [
    "ApiToken",
    "AppSecret",
    "Base",
    "BorderLine",
    "BorderZone",
    "BoundaryDataset",
    "Country",
    "HistoryHead",
    "Holder",
    "HolderEvent",
    "ImportRun",
    "Licence",
    "LicenceCodeCounter",
    "LicenceConflict",
    "LicenceConsent",
    "LicenceDocument",
    "LicenceEvent",
    "LicenceNotice",
    "LicenceObligation",
    "LicenceStage",
    "LedgerEvent",
    "OrderToPay",
    "OutboxMessage",
    "Payment",
    "PaymentAllocation",
    "ScenarioState",
    "SignInFailure",
    "TrainingAnswer",
    "User",
    "Workspace",
]
