"""Generic views every record type gets: list (filter, sort, keyset pages, export),
detail (with history), create and edit (optimistic locking, one-time submission)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views import View

from kehu.audit.selectors import history_for
from kehu.core import masking, policy
from kehu.core.access import NOT_FOUND, require
from kehu.core.navigation import return_target
from kehu.generic import list_export, listing, private_search, registry, services
from kehu.generic.cells import cell_value, rows_cells
from kehu.generic.models import SubmissionToken
from kehu.generic.registry import RecordType
from kehu.infra.prepared import prepared_statements
from kehu.infra.ratelimit import RateLimited


class RecordView(LoginRequiredMixin, View):
    record_type: RecordType = None  # type: ignore[assignment]  # set by as_view()

    def require(self, action: str, obj: Model | None = None) -> None:
        require(self.request.user, policy.perm_name(self.record_type.model, action), obj)

    def get_object(self, pk: Any, action: str = "view") -> Model:
        queryset = policy.scope(self.request.user, self.record_type.base_queryset(), "view")
        try:
            obj = policy.loaded_in_scope(queryset.get(pk=pk))
        except (queryset.model.DoesNotExist, ValueError, ValidationError):
            raise Http404(NOT_FOUND) from None
        if action != "view":
            self.require(action, obj)
        return obj

    def base_context(self, **extra: Any) -> dict[str, Any]:
        rt = self.record_type
        user = self.request.user
        # Extra buttons other apps add to a list (e.g. "new customer + filing").
        actions = [
            {"label": a.label, "url": reverse(a.url_name), "icon": a.icon, "id": a.element_id}
            for a in rt.listing.actions
            if policy.has_perm(user, a.permission)
        ]
        return {
            "rt": rt,
            "list_actions": actions,
            "can_add": policy.has_perm(user, policy.perm_name(rt.model, "add")),
            "can_export": policy.has_perm(user, policy.perm_name(rt.model, "export")),
            "list_url": reverse(rt.url_name("list")),
            # A form opened from elsewhere (a filing's checklist) returns there when saved.
            "return_to": return_target(self.request),
            **extra,
        }


class RecordListView(RecordView):
    def post(self, request: HttpRequest) -> HttpResponse:
        """The filter form: to the list's URL with its values, a private search text (a full
        ID or phone number) replaced by a search id (`private_search`)."""
        self.require("view")
        params = request.POST.copy()
        for key in ("csrfmiddlewaretoken", "after", "before"):
            params.pop(key, None)
        linked = private_search.for_links(request, self.record_type, params)
        url = f"{reverse(self.record_type.url_name('list'))}?{linked.urlencode()}"
        if request.headers.get("HX-Request"):
            response = HttpResponse()
            response["HX-Location"] = json.dumps({"path": url, "target": "#record-table"})
            return response
        return redirect(url)

    def get(self, request: HttpRequest) -> HttpResponse:
        self.require("view")
        rt = self.record_type
        if private_search.is_private(rt, request.GET.get("q", "")):
            # Typed into the address bar or an old link: off the URL at once.
            linked = private_search.for_links(request, rt, request.GET)
            return redirect(f"{reverse(rt.url_name('list'))}?{linked.urlencode()}")
        params = private_search.for_reading(request, request.GET)
        search_refused = ""
        try:
            rows, filterset = listing.visible_rows(rt, request.user, params)
        except RateLimited as error:
            search_refused = str(error)
            cleared = params.copy()
            cleared["q"] = ""
            rows, filterset = listing.visible_rows(rt, request.user, cleared)
            rows = rows.none()
        sort = listing.sort_key(rt, request.GET.get("sort", ""))
        try:
            size = int(request.GET.get("size", 50))
        except ValueError:
            size = 50
        size = size if size in listing.PAGE_SIZES else 50
        page = listing.keyset_page(
            rows,
            sort,
            size,
            request.GET.get("after", ""),
            request.GET.get("before", ""),
            count_limit=rt.count_limit_for(params.get("q", "")),
        )
        # A page of personal data (individuals, contacts) is a read, as their detail page is.
        rt.record_list_read(page.rows, "list")
        list_url = reverse(rt.url_name("list"))
        action = rt.listing.row_action(request.user) if rt.listing.row_action else None
        linked = request.GET.copy()  # a private search by its id (`private_search`)
        for key in ("after", "before", "sort"):
            linked.pop(key, None)
        context = self.base_context(
            filterset=filterset,
            page=page,
            columns=[
                {
                    "column": c,
                    "label": rt.column_label(c),
                    "sort_asc": c.sort,
                    "active": sort.lstrip("-") == c.sort,
                    "descending": sort.startswith("-"),
                }
                for c in rt.listing.columns
            ],
            rows=[
                {"obj": row, "cells": cells + action_cell(action, row)}
                for row, cells in zip(
                    page.rows, rows_cells(page.rows, rt.listing.columns, list_url), strict=True
                )
            ],
            has_row_action=action is not None,
            query=linked.urlencode(),
            filters_active=any(v for k, v in request.GET.items() if k not in {"size", "sort"}),
            page_sizes=listing.PAGE_SIZES,
            search_text=params.get("q", ""),
            search_refused=search_refused,
        )
        template = (
            "generic/_table.html" if request.headers.get("HX-Request") else "generic/list.html"
        )
        return render(request, template, context, status=429 if search_refused else 200)


def action_cell(action: Any, row: Model) -> SafeString:
    """The row's action button cell ("" without a row action)."""
    if action is None:
        return mark_safe("")
    link = action(row)
    if link is None:
        return mark_safe("<td></td>")
    label, url = link
    return format_html('<td><a class="btn btn-sm row-action" href="{}">{}</a></td>', url, label)


class RecordExportView(RecordView):
    """The list's rows as a file (`fmt`: xlsx or csv), or its background job when long."""

    fmt = "xlsx"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        self.require("export")
        rt = self.record_type
        params = private_search.for_reading(request, request.GET)
        try:
            listing.visible_rows(rt, request.user, params, "export")
        except RateLimited as error:
            messages.error(request, str(error))
            return redirect(reverse(rt.url_name("list")))
        sort = listing.sort_key(rt, request.GET.get("sort", ""))
        export = list_export.ListExport(rt, request.user, params, sort, self.fmt)
        answer = list_export.respond(export)
        if isinstance(answer, HttpResponseBase):
            return answer
        messages.info(
            request,
            _("The list has more than %(count)s rows: it is being exported in the background.")
            % {"count": list_export.inline_rows()},
        )
        return redirect(list_export.job_url(answer))


class RecordDetailView(RecordView):
    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        # One record and the rows of its panels, all read by key.
        with prepared_statements():
            return self._page(request, pk)

    def _page(self, request: HttpRequest, pk: Any) -> HttpResponse:
        self.require("view")
        obj = self.get_object(pk)
        rt = self.record_type
        rt.record_read(obj, "page")
        fields = []
        for name in rt.detail.fields:
            # Sensitive fields render masked with a reveal link ({% sensitive %}).
            masked = masking.spec(obj, name) is not None
            fields.append((rt.field_label(name), cell_value(obj, name), masked, name))
        context = self.base_context(
            obj=obj,
            fields=fields,
            history=history_for(obj),
            can_change=policy.has_perm(request.user, policy.perm_name(rt.model, "change"), obj),
            panels=rt.detail.panels,
            **self.parent_context(obj),
            **(rt.detail.context(request, obj) if rt.detail.context else {}),
        )
        return render(request, rt.detail.template, context)

    def parent_context(self, obj: Model) -> dict[str, Any]:
        """The record `obj` belongs to (a contact's customer), for the page's way back to it."""
        attribute = self.record_type.detail.parent
        parent = getattr(obj, attribute, None) if attribute else None
        parent_type = registry.for_model(type(parent)) if parent is not None else None
        if parent is None or parent_type is None:
            return {}
        return {
            "parent": parent,
            "parent_url": reverse(parent_type.url_name("detail"), args=[parent.pk]),
        }


class RecordEditView(RecordView):
    """Create when no pk is given, else edit."""

    def make_form(self, obj: Model | None, *args: Any) -> Any:
        edit = self.record_type.edit
        form_class = edit.create_form if obj is None and edit.create_form else edit.form
        kwargs: dict[str, Any] = {"instance": obj}
        if edit.takes_user:
            kwargs["user"] = self.request.user
        if obj is None and not args:
            kwargs["initial"] = {k: v for k, v in self.request.GET.items() if k != "next"}
        return form_class(*args, **kwargs)

    def get(self, request: HttpRequest, pk: Any = None) -> HttpResponse:
        obj = self._obj(pk)
        if obj is not None:
            # The edit form shows the record's data as its detail page does.
            self.record_type.record_read(obj, "form")
        form = self.make_form(obj)
        return self._render(form, obj, token=uuid.uuid4().hex)

    def post(self, request: HttpRequest, pk: Any = None) -> HttpResponse:
        obj = self._obj(pk)
        form = self.make_form(obj, request.POST, request.FILES)
        token = request.POST.get("_submission", "")
        if obj is None and token:
            # A resubmitted create form leads to what it created (before validation, which
            # would otherwise refuse the repeated unique values).
            rt = self.record_type
            done = SubmissionToken.objects.filter(token=token, object_type=rt.label).first()
            if done is not None:
                messages.warning(request, str(services.DuplicateSubmissionError(done.object_id)))
                return redirect(reverse(rt.url_name("detail"), args=[done.object_id]))
        if not form.is_valid():
            return self._render(form, obj, token=token, status=400)
        rt = self.record_type
        try:
            if obj is None:
                user_id = request.user.pk or 0
                saved = services.create_from_form(rt, form, token=token, user_id=user_id)
                messages.success(request, _("%(name)s created.") % {"name": saved})
            else:
                version = int(request.POST.get("_version", "0") or 0)
                assert obj is not None
                saved = services.update_from_form(rt, obj, form, version)
                messages.success(request, _("%(name)s saved.") % {"name": saved})
        except services.StaleEditError as error:
            form.add_error(None, str(error))
            return self._render(form, obj, token=token, status=409, stale_changes=error.changes)
        except services.DuplicateSubmissionError as error:
            messages.warning(request, str(error))
            return redirect(reverse(rt.url_name("detail"), args=[error.object_id]))
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(form, obj, token=token, status=400)
        return redirect(return_target(request) or reverse(rt.url_name("detail"), args=[saved.pk]))

    def _obj(self, pk: Any) -> Model | None:
        if pk is None:
            self.require("add")
            return None
        self.require("view")
        return self.get_object(pk, "change")

    def _render(
        self, form: Any, obj: Model | None, token: str, status: int = 200, **extra: Any
    ) -> HttpResponse:
        version = obj.version if obj is not None else ""  # type: ignore[attr-defined]
        if self.request.method == "POST" and obj is not None:
            version = self.request.POST.get("_version", version)
        context = self.base_context(form=form, obj=obj, version=version, token=token, **extra)
        return render(self.request, self.record_type.edit.template, context, status=status)
