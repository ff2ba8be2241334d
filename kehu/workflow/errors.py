"""What the workflow engine refuses, each with the message shown to the user."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied


class WorkflowError(PermissionDenied):
    """A step cannot be done as asked; the message says why (shown to the user)."""


class StaleStepError(WorkflowError):
    """Somebody acted on the step after the form was opened (API: 409)."""


class NotAllowedError(WorkflowError):
    """Not the assignee, or four-eyes (API: 403)."""


class StepFormError(WorkflowError):
    """The step's own form is missing or invalid; `errors` names the fields, `form_url` is
    where the step's own page form is (API: 400)."""

    def __init__(self, message: str, *, errors: dict[str, Any] | None = None, form_url: str = ""):
        super().__init__(message)
        self.errors = errors or {}
        self.form_url = form_url
