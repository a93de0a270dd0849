"""The versioned REST API: /api/v1/, its OpenAPI document and browsable docs.

Every route authenticates with a personal access token (auth.TokenAuth), checks the token's
scope for its area (auth.need) and reads through ``restrict(user, action)`` like the pages, so
the same rows are visible in both. Errors have one body (errors.py).
"""

from __future__ import annotations

from ninja import NinjaAPI

from shidian.apps.api import errors
from shidian.apps.api.auth import TokenAuth
from shidian.apps.api.routers import (
    acceptance_writes,
    areas,
    case_writes,
    cases,
    commendation_writes,
    communities,
    community_writes,  # noqa: F401  adds the community writes to communities.router
    documents,
    evaluation_writes,
    evidence,
    exchange,
    inspection_writes,
    lifecycle_acceptance,
    lifecycle_commendations,
    lifecycle_evaluation,
    lifecycle_inspections,
    lifecycle_plans,
    lifecycle_rollout,
    me,
    plan_writes,  # noqa: F401  adds the plan writes to lifecycle_plans.router
    programmes,
    rectification_writes,
    report_filing,
    reports,
    rollout_writes,
    runs,
    selection,
    selection_steps,
    selection_writes,  # noqa: F401  adds the selection writes to selection.router
    sheet_writes,  # noqa: F401  adds the sheet writes to areas.router before it is mounted
    standard_writes,
    unit_writes,  # noqa: F401  adds the unit writes to units.router before it is mounted
    units,
)

# For developers, in both languages at once (the document is not a page of the product).
DESCRIPTION = (
    "试点工作平台开放接口：用个人访问令牌（Authorization: Bearer）调用，"
    "权限范围按业务领域分读、写。"
    " Shidian API: call with a personal access token (Authorization: Bearer); scopes are read or"
    " write per area. Errors: {code, message}; send Accept-Language: en for English messages."
)

api = NinjaAPI(
    title="Shidian API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", me.router)
api.add_router("", units.router)
api.add_router("", programmes.router)
api.add_router("", areas.router)
api.add_router("", reports.router)
api.add_router("", report_filing.router)
api.add_router("", rectification_writes.router)
api.add_router("", selection.router)
api.add_router("", communities.router)
api.add_router("", cases.router)
api.add_router("", case_writes.router)
api.add_router("", documents.router)
api.add_router("", exchange.router)
api.add_router("", evidence.router)
api.add_router("", lifecycle_inspections.router)
api.add_router("", lifecycle_acceptance.router)
api.add_router("", lifecycle_evaluation.router)
api.add_router("", lifecycle_plans.router)
api.add_router("", lifecycle_commendations.router)
api.add_router("", lifecycle_rollout.router)
api.add_router("", standard_writes.router)
api.add_router("", runs.router)
api.add_router("", selection_steps.router)
api.add_router("", acceptance_writes.router)
api.add_router("", rollout_writes.router)
api.add_router("", evaluation_writes.router)
api.add_router("", commendation_writes.router)
api.add_router("", inspection_writes.router)
