"""Weak passwords are refused: leaked ones, repeated halves, the user name with a little added."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.test import Client
from django.urls import reverse

from kehu.core.models import OrgUnit, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]


def change_password(client: Client, new: str) -> list[str]:
    """Try the change-password page; the error codes of the new password."""
    response = client.post(
        reverse("accounts:change_password"),
        {"old_password": settings.KEHU_DEMO_PASSWORD, "new_password1": new, "new_password2": new},
    )
    if response.status_code == 302:
        return []
    form = response.context["form"]
    return [error.code for error in form.errors.as_data().get("new_password2", [])]


@pytest.mark.parametrize(
    "weak, code",
    [
        ("manager4manager4", "password_repetitive"),
        ("Ab1!Ab1!Ab1!", "password_repetitive"),
        ("manager4-2026", "password_like_username"),
        ("4reganam2026", "password_like_username"),
        # In published leaks, but not in Django's own list of 20,000.
        ("woaini1314520", "password_breached"),
        ("zhang123456", "password_breached"),
        ("Passw0rd!23", "password_breached"),
        ("qwerty12345!", "password_breached"),
    ],
)
def test_weak_passwords_are_refused(
    client_for: Callable[[str], Client], weak: str, code: str
) -> None:
    if code == "password_breached":
        # The point of the larger list: Django's own validator lets these through.
        CommonPasswordValidator().validate(weak)
    client = client_for("manager4")
    assert code in change_password(client, weak)
    user = User.objects.get(username="manager4")
    assert user.check_password(settings.KEHU_DEMO_PASSWORD)
    assert not user.check_password(weak)


def test_a_strong_password_is_accepted(client_for: Callable[[str], Client]) -> None:
    client = client_for("manager4")
    assert change_password(client, "Lantern-Quarry-Mosaic-58") == []
    assert User.objects.get(username="manager4").check_password("Lantern-Quarry-Mosaic-58")


def test_the_administrator_cannot_give_a_weak_initial_password(
    client_for: Callable[[str], Client],
) -> None:
    admin = client_for("admin")
    add = reverse("generic:users_add")
    fields = {
        "username": "newclerk",
        "full_name": "新职员",
        "email": "newclerk@kehu.example",
        "unit": OrgUnit.objects.get(code="SALE").pk,
        "is_active": "on",
    }
    weak = admin.post(add, {**fields, "password1": "newclerk2026", "password2": "newclerk2026"})
    assert not User.objects.filter(username="newclerk").exists()
    codes = [error.code for error in weak.context["form"].errors.as_data()["password1"]]
    assert "password_like_username" in codes
    strong = "Lantern-Quarry-Mosaic-58"
    assert admin.post(add, {**fields, "password1": strong, "password2": strong}).status_code == 302
    assert User.objects.get(username="newclerk").check_password(strong)
