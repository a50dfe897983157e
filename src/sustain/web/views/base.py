"""Helpers shared by the HTML views: scoped look-ups, service calls that report errors on the
form, pagination and permission gates. Views never write to the database themselves."""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from sustain.core.errors import ApplicationError, Conflict
from sustain.core.errors import PermissionDenied as AppPermissionDenied
from sustain.tenancy.permissions import has_perm_anywhere

M = TypeVar("M", bound=Model)

PAGE_SIZE = 25

CONFLICT_MESSAGE = ("Someone else changed this record while you were editing it, so your "
                    "changes have not been saved. Reload the page to see the latest version, "
                    "then make your change again.")


def require_perm_anywhere(request: HttpRequest, perm: str) -> None:
    """403 when the user's roles do not carry `perm` at any location."""
    if not has_perm_anywhere(request.user, perm):
        raise DjangoPermissionDenied("Your role does not give access to these records.")


def require(allowed: bool) -> None:
    """403 unless `allowed`."""
    if not allowed:
        raise DjangoPermissionDenied("Your role does not allow this action.")


def get_visible_or_404(qs: QuerySet[M], visible: Callable[[QuerySet, Any], QuerySet],
                       actor: Any, uuid: Any) -> M:
    """The record with this public id, if the actor may see it; otherwise 404 (never 403, so
    the existence of other organisations' records is not revealed)."""
    try:
        return visible(qs, actor).get(uuid=uuid)
    except qs.model.DoesNotExist as exc:
        raise Http404("No such record.") from exc


def paginate(request: HttpRequest, qs: QuerySet | list[Any], per_page: int = PAGE_SIZE) -> Page:
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def apply_errors(form: forms.Form, error: ApplicationError) -> None:
    """Put a service's refusal on the form: each message next to the field it names, and
    anything that names no field of the form at the top."""
    placed = False
    for field, messages in error.errors.items():
        target = field if field in form.fields else None
        if isinstance(error, Conflict) and field == "version":
            target = None
        for message in messages:
            form.add_error(target, message)
        placed = placed or target is not None
    if isinstance(error, Conflict):
        form.add_error(None, CONFLICT_MESSAGE)
    elif not placed and not error.errors.get("non_field_errors"):
        form.add_error(None, error.message)


def run_service(form: forms.Form, call: Callable[[], M],
                check_visible: Callable[[M], bool] | None = None) -> M | None:
    """Call a service inside a transaction. On refusal the errors go on the form, the
    transaction rolls back and None is returned. `check_visible` re-reads the result through
    the actor's scope: a write the actor could not see afterwards is rolled back."""
    try:
        with transaction.atomic():
            result = call()
            if check_visible is not None and not check_visible(result):
                raise AppPermissionDenied("The result would be outside what you may see.")
    except ApplicationError as error:
        apply_errors(form, error)
        return None
    return result


def is_visible(visible: Callable[[QuerySet, Any], QuerySet], actor: Any) -> Callable[[Any], bool]:
    def check(obj: Any) -> bool:
        return visible(type(obj)._default_manager.filter(pk=obj.pk), actor).exists()

    return check


def render_list(request: HttpRequest, full: str, partial: str,
                context: dict[str, Any]) -> HttpResponse:
    """The results fragment for htmx filter requests, the whole page otherwise (including
    htmx's history-restore requests, which need a whole page)."""
    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    response = render(request, partial if fragment else full, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def preselected(qs: QuerySet[M], raw: str | None) -> M | None:
    """The row of `qs` whose public id is `raw` (from a query string), if any."""
    try:
        key = uuid_module.UUID(str(raw))
    except ValueError:
        return None
    return qs.filter(uuid=key).first()


ArchiveHandler = Callable[..., HttpResponse]


def archive_views(handler: ArchiveHandler) -> tuple[Callable[..., HttpResponse],
                                                    Callable[..., HttpResponse]]:
    """The archive and restore views (signed in, POST only) for a handler
    `handler(request, uuid, restore=bool)`."""

    @login_required
    @require_POST
    def archive(request: HttpRequest, uuid: Any) -> HttpResponse:
        return handler(request, uuid, restore=False)

    @login_required
    @require_POST
    def restore(request: HttpRequest, uuid: Any) -> HttpResponse:
        return handler(request, uuid, restore=True)

    return archive, restore
