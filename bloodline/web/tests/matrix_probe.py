"""How the permission matrix finds endpoints and reads answers (shared by the test and by
anyone regenerating a row of ``permission_matrix.py``).

Endpoints come from the running project, never from a hand-kept list: every URL pattern of
``get_resolver()`` (i18n-prefixed ones included) and every path operation of the django-ninja
API. A new endpoint therefore shows up here before anyone thinks of the matrix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern

from bloodline.api import api

ALLOW, FORBID, HIDE, LOGIN = "allowed", "403", "404", "login"
# The body was refused (400/409/422) before or after the access check: not refused for access,
# and the matrix still checks that nothing was written.
INVALID = "invalid"
API_PREFIX = "/api/v1"
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
API_PARAM = re.compile(r"{(?P<name>[^}:]+)(?::[^}]+)?}")


@dataclass(frozen=True)
class Endpoint:
    key: str  # URL name for a page, "METHOD /path" for an API operation
    route: str  # the pattern, with parameters as written in the URLconf or the router
    params: tuple[str, ...]
    api: bool
    method: str = "GET"


def _walk(patterns: Sequence[object], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
    for item in patterns:
        if isinstance(item, URLResolver):
            inner = ":".join(n for n in (namespace, item.namespace) if n)
            # An i18n_patterns block stands for every language prefix: one parameter.
            if isinstance(item.pattern, LocalePrefixPattern):
                part = "<str:language>/"
            else:
                part = str(item.pattern)
            yield from _walk(item.url_patterns, prefix + part, inner)
        elif isinstance(item, URLPattern):
            name = item.name or f"<unnamed {prefix}{item.pattern}>"
            yield (f"{namespace}:{name}" if namespace else name), prefix + str(item.pattern)


def operation_url_names() -> set[str]:
    """The URL names django-ninja gives its operations: they are checked as operations."""
    names = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                names.add(f"{api.urls_namespace}:{getattr(operation, 'url_name', '')}")
                names.add(f"{api.urls_namespace}:{operation.view_func.__name__}")
    return names


def pages() -> list[Endpoint]:
    operations = operation_url_names()
    found = []
    for key, route in _walk(get_resolver().url_patterns, "", ""):
        if key in operations:
            continue
        params = tuple(m.group("name") for m in PARAM.finditer(route))
        found.append(Endpoint(key=key, route=route, params=params, api=False))
    return found


def operations() -> list[Endpoint]:
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                route = (prefix.rstrip("/") + path) if path != "/" else prefix.rstrip("/") + "/"
                params = tuple(m.group("name") for m in API_PARAM.finditer(route))
                for method in operation.methods:
                    found.append(
                        Endpoint(
                            key=f"{method} {route}",
                            route=route,
                            params=params,
                            api=True,
                            method=method,
                        )
                    )
    return found


def classify(response: HttpResponse, endpoint: Endpoint) -> str:
    """The access outcome class of an answer."""
    status = response.status_code
    if status == 401:
        return LOGIN
    if status in (301, 302) and not endpoint.api:
        location = response.get("Location", "")
        # The staff sign-in, or the donor portal's sign-in by code (decision 0056).
        if location.startswith(("/accounts/login/", "/donor/sign-in/")):
            return LOGIN
    if status == 403:
        return FORBID
    if status == 404:
        return HIDE
    if status < 400:
        return ALLOW
    if status in (400, 409, 422):
        return INVALID
    return str(status)
