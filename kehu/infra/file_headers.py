"""Headers of a stored file served back (document previews and downloads, change-request
proofs): shown as a document, never as a page of ours — no type sniffing, no scripts, no
forms, not cached."""

from __future__ import annotations

from django.http import HttpResponseBase


def protect(response: HttpResponseBase, content_type: str) -> HttpResponseBase:
    """Set the headers on `response`, which serves a file of `content_type`."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # PDFs without `sandbox`: Chromium refuses to run its PDF viewer in a sandboxed document.
    policy_text = "default-src 'none'; img-src 'self'; frame-ancestors 'self'"
    if content_type != "application/pdf":
        policy_text += "; sandbox"
    response["Content-Security-Policy"] = policy_text
    return response
