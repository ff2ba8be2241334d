"""What a user does again and again: sign in, fill the record forms, read the page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import shutil
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]

DEMO_USERS = [
    "admin",
    "manager1",
    "manager2",
    "manager3",
    "manager4",
    "head_sale",
    "compliance",
    "credit",
    "archivist",
    "finance",
    "gm",
    "auditor",
]


def kehu_command() -> str:
    """The `kehu` script of the virtualenv running the tests (normally .venv/bin/kehu)."""
    for candidate in (Path(sys.executable).with_name("kehu"), ROOT / ".venv" / "bin" / "kehu"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("kehu")
    if not found:
        raise RuntimeError("cannot find the `kehu` command; run `make setup` first")
    return found


@dataclass
class Server:
    """The running application, and a way to run `kehu` subcommands against its data."""

    url: str
    env: dict[str, str]
    data_dir: Path
    log_path: Path
    failed_tests: list[str] = field(default_factory=list)

    def kehu(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [kehu_command(), *args],
            env=self.env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"kehu {' '.join(args)[:200]} failed ({done.returncode}):\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done.stdout

    def shell(self, code: str) -> str:
        """Run Python in `kehu shell` against the server's database; returns its stdout."""
        return self.kehu("shell", "--no-startup", "--interface", "python", "--command", code)


def demo_password() -> str:
    return os.environ.get("KEHU_DEMO_PASSWORD") or "Kehu@2026demo"


def lockout_threshold() -> int:
    return int(os.environ.get("KEHU_LOCKOUT_THRESHOLD") or 5)


def unique(prefix: str = "T") -> str:
    """An upper-case suffix no other test uses: codes, names and user names of one test."""
    return f"{prefix}{secrets.token_hex(4).upper()}"


def new_password() -> str:
    """A password Django's validators accept and nobody else uses."""
    return f"Brw-{secrets.token_urlsafe(9)}-7q"


def submit(page: Page, selector: str) -> int:
    """Click a submit button of a plain (non-htmx) form; return the POST's own status
    (302 for a redirect) after the resulting page has loaded."""
    with (
        page.expect_response(lambda r: r.request.method == "POST") as posted,
        page.expect_navigation(),
    ):
        page.click(selector)
    return posted.value.status


def sign_in(page: Page, username: str, password: str) -> int:
    """Fill in the sign-in form; the POST's status (302 signed in, 400 refused)."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    return submit(page, "#sign-in")


def demo_totp_secret() -> str:
    """The TOTP key `seed_demo` gives the demo users whose role needs a second factor."""
    return os.environ.get("KEHU_DEMO_TOTP_SECRET") or "KEHUDEMOKEHUDEMOKEHUDEMOKEHUDEMO"


# The last time step whose code each demo user has used: a code is accepted only once.
_used_steps: dict[str, int] = {}


def pass_demo_second_factor(page: Page, username: str, step: int = 30) -> None:
    """Enter the current code of the demo key (or the next one, which the server also
    accepts, when this user's current one is used up)."""
    now = int(time.time() // step)
    wanted = max(now, _used_steps.get(username, now - 1) + 1)
    while wanted > int(time.time() // step) + 1:
        time.sleep(1)
    _used_steps[username] = wanted
    page.fill("#id_token", totp(demo_totp_secret(), at=wanted * step))
    assert submit(page, "#verify") == 302, f"{username}: the demo code was refused"


def sign_in_ok(page: Page, username: str, password: str | None = None) -> None:
    status = sign_in(page, username, password or demo_password())
    assert status == 302, f"{username} could not sign in: {login_error(page)!r}"
    assert "/accounts/login/" not in page.url
    if "/accounts/second-factor/" in page.url and username in DEMO_USERS:
        pass_demo_second_factor(page, username)
        assert "/accounts/second-factor/" not in page.url
    declare_purpose(page)


def declare_purpose(page: Page, purpose: str = "review") -> None:
    """Declare the session's purpose of use (asked once before personal data is shown),
    then come back to the page the user was on."""
    here = re.sub(r"^https?://[^/]+", "", page.url) or "/"
    page.goto(f"/privacy/purpose/?next={quote(here, safe='')}")
    if not page.locator("#purpose-form").count():
        page.goto(here)  # sent elsewhere first (a password to change): declared later
        return
    page.check(f'input[name="purpose"][value="{purpose}"]')
    assert submit(page, "#purpose-submit") == 302


def sign_out(page: Page) -> None:
    page.click("#user-menu")
    submit(page, "#sign-out")
    assert "/accounts/login/" in page.url


def login_error(page: Page) -> str:
    """The sign-in form's non-field error ("" when there is none)."""
    alert = page.locator("#login-form .alert-danger")
    return alert.inner_text().strip() if alert.count() else ""


def html_lang(page: Page) -> str | None:
    return page.locator("html").get_attribute("lang")


def record_pk(url: str) -> int:
    """The primary key in a detail-page URL such as http://…/units/12/."""
    match = re.search(r"/(\d+)/(?:\?.*)?$", url)
    assert match, f"not a detail page: {url}"
    return int(match.group(1))


def select_unit(page: Page, selector: str, code: str) -> None:
    """Choose the unit whose option reads "<name> (<code>)" in a unit <select>."""
    value = page.locator(selector).evaluate(
        """(select, code) => {
            const option = [...select.options].find(o => o.text.trim().endsWith(`(${code})`));
            return option ? option.value : null;
        }""",
        code,
    )
    assert value, f"no unit {code} in {selector}"
    page.select_option(selector, value=value)


def fill_unit_form(page: Page, *, name: str, code: str, kind: str, parent: str) -> None:
    page.fill("#id_name", name)
    page.fill("#id_code", code)
    page.select_option("#id_kind", value=kind)
    select_unit(page, "#id_parent", parent)


def create_unit(
    page: Page, *, name: str, code: str, kind: str = "department", parent: str = "BJ"
) -> int:
    """As a signed-in administrator: /units/add/ → the new unit's detail page; its pk."""
    page.goto("/units/add/")
    fill_unit_form(page, name=name, code=code, kind=kind, parent=parent)
    status = submit(page, "#save")
    assert status == 302, f"unit not created: {form_errors(page)}"
    return record_pk(page.url)


def create_user(
    page: Page, *, username: str, full_name: str, password: str, unit: str = "SALE"
) -> int:
    """As a signed-in administrator: /users/add/ → the new user's detail page; its pk."""
    page.goto("/users/add/")
    page.fill("#id_username", username)
    page.fill("#id_full_name", full_name)
    page.fill("#id_email", f"{username.lower()}@browser.example")
    select_unit(page, "#id_unit", unit)
    page.fill("#id_password1", password)
    page.fill("#id_password2", password)
    status = submit(page, "#save")
    assert status == 302, f"user not created: {form_errors(page)}"
    return record_pk(page.url)


@contextmanager
def htmx_swap(page: Page) -> Iterator[None]:
    """Wait, after the block, until htmx has fetched and settled new content in the page
    (and check that this happened in place: the page was not loaded anew)."""
    page.evaluate(
        """() => {
            window.kehuSettled = false;
            document.body.addEventListener(
                "htmx:afterSettle", () => { window.kehuSettled = true; }, {once: true});
        }"""
    )
    yield
    wait_until(page, "window.kehuSettled === true")


def wait_until(page: Page, expression: str, timeout: float = 15) -> None:
    """Poll a JavaScript expression until it is true. (Playwright's wait_for_function runs its
    predicate through eval, which Kehu's Content-Security-Policy refuses.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


def form_errors(page: Page) -> list[str]:
    return [
        text.strip()
        for text in page.locator(".invalid-feedback, form .alert-danger").all_inner_texts()
    ]


def field_errors(page: Page, field_id: str) -> list[str]:
    """The error messages shown in the same form group as the field #<field_id>."""
    group = page.locator(f"#{field_id}").locator("xpath=ancestor::div[contains(@class,'mb-3')][1]")
    return [text.strip() for text in group.locator(".invalid-feedback").all_inner_texts()]


def totp(secret_base32: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP (HMAC-SHA1) of a base32 secret, as an authenticator app shows it."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8), casefold=True)
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"
