"""What is due (a panel on the home page and My tasks, a page with filters and an export) and
each user's choice of channel per kind of reminder."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.audit.services import record
from kehu.generic.export import rows_to_xlsx
from kehu.ops import preferences
from kehu.ops.models import ReminderChannel
from kehu.ops.reminders import DueItem, due_for, rules

# The panel shows the nearest deadlines; the page shows them all.
PANEL_ROWS = 10
STATES = (
    ("overdue", gettext_lazy("Overdue")),
    ("today", gettext_lazy("Due today")),
    ("soon", gettext_lazy("Coming up")),
)
EXPORT_COLUMNS = [
    ("kind_label", gettext_lazy("Kind")),
    ("title", gettext_lazy("Title")),
    ("deadline", gettext_lazy("Deadline")),
    ("state_label", gettext_lazy("State")),
]


class DueFilter(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    state = forms.ChoiceField(
        label=gettext_lazy("State"), required=False, choices=[("", "---------"), *STATES]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", "---------"), *((rule.kind, rule.label) for rule in rules())]


def _filtered(request: HttpRequest, *, my_tasks: bool = False) -> tuple[DueFilter, list[DueItem]]:
    form = DueFilter(request.GET or None)
    items = due_for(request.user, my_tasks=my_tasks)
    if form.is_valid():
        if form.cleaned_data["kind"]:
            items = [i for i in items if i.rule.kind == form.cleaned_data["kind"]]
        if form.cleaned_data["state"]:
            items = [i for i in items if i.state == form.cleaned_data["state"]]
    return form, items


@login_required
def due_panel(request: HttpRequest) -> HttpResponse:
    """The nearest deadlines of the signed-in user (loaded by the home page and My tasks)."""
    items = due_for(request.user, my_tasks=request.GET.get("on") == "tasks")
    return render(
        request,
        "ops/_due_panel.html",
        {"items": items[:PANEL_ROWS], "total": len(items), "today": timezone.localdate()},
    )


@login_required
def due_list(request: HttpRequest) -> HttpResponse:
    form, items = _filtered(request)
    if request.GET.get("export") == "xlsx":
        return _export(request, items)
    return render(request, "ops/due.html", {"form": form, "items": items})


def _export(request: HttpRequest, items: list[DueItem]) -> HttpResponse:
    title = str(_("What is due"))
    columns = [(name, str(label)) for name, label in EXPORT_COLUMNS]
    content, count = rows_to_xlsx(title, columns, items, str(request.user))
    record(
        "ops.due.export",
        object_type="ops.due",
        object_repr=title,
        extra={"rows": count, "filters": dict(request.GET.items()), "format": "xlsx"},
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="due.xlsx"'
    return response


class PreferencesForm(forms.Form):
    """One channel choice per kind of reminder."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = preferences.channels_chosen(user)
        for rule in rules():
            self.fields[rule.kind] = forms.ChoiceField(
                label=rule.label,
                choices=ReminderChannel.choices,
                initial=chosen.get(rule.kind, rule.default_channel),
            )


@login_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        changed = preferences.preferences_save(request.user, form.cleaned_data)
        if changed:
            messages.success(request, _("Your reminder settings were saved."))
        return redirect("ops:reminder-settings")
    return render(request, "ops/reminder_settings.html", {"form": form})
