"""The watch list import page (FIL-4): upload a CSV/xlsx file, see every row checked (new,
changed, unchanged, errors), then import all of it or nothing. Between the two steps the file
waits in the encrypted storage under a signed, expiring token."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kehu.core import storage
from kehu.core.access import requires
from kehu.filing import watchlist
from kehu.filing.forms import WatchListConfirmForm, WatchListUploadForm

_SALT = "kehu.filing.watchlist-import"
_MAX_AGE = 3600  # seconds a previewed file may wait for the confirmation


def _read(token: str, user_pk: int) -> tuple[str, str]:
    data = signing.loads(token, salt=_SALT, max_age=_MAX_AGE)
    if data.get("user") != user_pk:
        raise signing.BadSignature("another user's file")
    return str(data["stored"]), str(data["file"])


@login_required
@requires("filing.watchlistentry.add")
@requires("filing.watchlistentry.change")
def import_watchlist(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"form": WatchListUploadForm()}
    if request.method == "POST" and "token" in request.POST:
        confirm = WatchListConfirmForm(request.POST)
        try:
            if not confirm.is_valid():
                raise signing.BadSignature("no token")
            stored, original = _read(confirm.cleaned_data["token"], request.user.pk or 0)
            with storage.open_plain(stored) as handle:
                content = handle.read()
        except (signing.BadSignature, OSError):
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("filing:watchlist_import")
        try:
            result = watchlist.import_file(original, content)
        except ValidationError:
            messages.error(request, _("The file has errors; nothing was imported."))
            return redirect("filing:watchlist_import")
        storage.delete(stored)
        messages.success(
            request,
            _(
                "Imported: %(new)s new, %(updated)s updated, %(same)s unchanged; "
                "%(flagged)s active customers newly found on the list."
            )
            % {
                "new": result.count("new"),
                "updated": result.count("update"),
                "same": result.count("same"),
                "flagged": result.flagged,
            },
        )
        return redirect("generic:watch-list_list")
    if request.method == "POST":
        form = WatchListUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            result = watchlist.preview(upload.name, content)
            context["preview"] = result
            context["counts"] = {a: result.count(a) for a in ("new", "update", "same")}
            if result.ok:
                upload.seek(0)
                kept = storage.store(f"imports/watchlist/{uuid.uuid4().hex}", upload)
                context["token"] = signing.dumps(
                    {"stored": kept.name, "file": upload.name, "user": request.user.pk},
                    salt=_SALT,
                )
            status = 200 if result.ok else 400
            return render(request, "filing/watchlist_import.html", context, status=status)
        return render(request, "filing/watchlist_import.html", context, status=400)
    return render(request, "filing/watchlist_import.html", context)
