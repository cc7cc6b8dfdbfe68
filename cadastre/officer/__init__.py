"""The officer web application: sign-in, dashboard, map, licences, holders."""

from cadastre.officer import (  # noqa: F401  (views register themselves on bp)
    auth_views,
    certificate_views,
    dashboard,
    deadline_views,
    document_views,
    errors,
    holders_views,
    licence_views,
    map_views,
    money_views,
    new_licence,
    notice_views,
    obligation_views,
    procedure_views,
    reports_views,
    statement_views,
)
from cadastre.officer.blueprint import bp

__all__ = ["bp"]
