"""The versioned JSON API: /api/v1/, with its OpenAPI schema and docs at /api/v1/docs."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import django_auth

from bloodline.distribution.api import router as distribution_router
from bloodline.donors.api import router as donors_router
from bloodline.drives.api import router as drives_router
from bloodline.inventory.api import router as inventory_router
from bloodline.jurisdictions.api import router as jurisdictions_router
from bloodline.lab.api import router as lab_router
from bloodline.lib.api_errors import COMMON_ERRORS, domain_errors, schema_errors, stale_errors
from bloodline.lib.locking import StaleEdit
from bloodline.organisations.api import me_router
from bloodline.organisations.api import router as organisations_router
from bloodline.portal.account_api import router as portal_account_router
from bloodline.portal.booking_api import router as booking_router
from bloodline.portal.prescreen_api import router as prescreen_router
from bloodline.portal.supply_api import router as public_supply_router
from bloodline.programmes.api import router as programmes_router
from bloodline.reports.api import router as reports_router
from bloodline.screening.api import router as screening_router
from bloodline.screening.lookup_api import router as lookup_router
from bloodline.screening.station_api import router as stations_router


class BloodlineAPI(NinjaAPI):
    """The API whose OpenAPI document declares, for every operation, the error answers the
    shared handlers below give (decision 0035), so a client (and the schema fuzz test) can
    rely on their shape."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        template = "#/components/schemas/{model}"
        for model in {*COMMON_ERRORS.values()}:
            found = model.model_json_schema(ref_template=template)
            components.update(found.pop("$defs", {}))
            components.setdefault(model.__name__, found)
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, model in COMMON_ERRORS.items():
                    if status not in responses and str(status) not in responses:
                        responses[status] = {
                            "description": HTTPStatus(status).phrase,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": template.format(model=model.__name__)}
                                }
                            },
                        }
        return schema


api = BloodlineAPI(
    title="Bloodline API",
    version="1",
    urls_namespace="api-1",
    auth=django_auth,
    docs_url="/docs",
)
api.add_router("/organisations", organisations_router)
api.add_router("/me", me_router)
api.add_router("/me", booking_router)
api.add_router("/me", prescreen_router)
api.add_router("/me", portal_account_router)
api.add_router("/jurisdictions", jurisdictions_router)
api.add_router("/plans", programmes_router)
api.add_router("/plans", reports_router)
api.add_router("/drives", drives_router)
api.add_router("/eligibility", screening_router)
api.add_router("/stations", stations_router)
# Before the registry's router: "/donors/lookup" is not a donor's id (decision 0041).
api.add_router("/donors", lookup_router)
api.add_router("/donors", donors_router)
api.add_router("/lab", lab_router)
api.add_router("/stock", inventory_router)
api.add_router("/distribution", distribution_router)
api.add_router("/supply", public_supply_router)


@api.exception_handler(SchemaValidationError)
def _schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": schema_errors(exc.errors)}, status=422)


@api.exception_handler(StaleEdit)
def _stale_edit(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
    """The record changed since the client read its version (decision 0028)."""
    return api.create_response(request, {"detail": stale_errors(exc)}, status=409)


@api.exception_handler(DjangoValidationError)
def _domain_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": domain_errors(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("You do not have permission to do this here.")}, status=403
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("Sign in first.")}, status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals; the only one it raises here is a body it cannot parse (400)."""
    detail = _("The request body is not valid JSON.") if exc.status_code == 400 else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)
