"""Browser tests: the real application (`kehu serve`) in a subprocess, driven by Chromium.

* `server` (session): a fresh data folder (and, when KEHU_DATABASE_URL names PostgreSQL, a
  fresh database on that server), `kehu migrate`, `collectstatic`, `seed_demo`, then
  `kehu serve` on a free port of 127.0.0.1 — stopped by its own process group at the end.
* `browser` (one per run): Debian's Chromium through Playwright's sync API.
* `new_page` / `page` (per test): a new browser context per call, closed after the test; a
  failed test leaves full-page screenshots (and the server log) in test-results/.

Playwright's sync API keeps an asyncio loop running in the main thread while it is started,
and Django refuses ORM calls then. So these tests never touch the ORM (they use the UI, or a
`kehu` subcommand against the server's database), and browser tests run after all other
tests of a run, the browser being stopped when its package is done.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from kehu.core.tests.cluster_keys import TEST_KEYS
from tests.browser.helpers import Server, demo_password, kehu_command, lockout_threshold, sign_in_ok

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-results"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
STARTUP_TIMEOUT = 90  # seconds until /health/ must answer


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _fresh_postgres_database(url: str) -> Iterator[str]:
    """Create kehu_browser_<pid> on the server of `url`; yield its URL; drop it afterwards."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"kehu_browser_{os.getpid()}"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(drop)  # a leftover of a killed run with the same pid
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(drop)


def _ensure_front_end_assets() -> None:
    if not (ROOT / "kehu" / "static" / "vendor" / "htmx" / "htmx.min.js").exists():
        subprocess.run(["make", "-C", str(ROOT), "assets"], check=True, stdin=subprocess.DEVNULL)


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kehu serve exited with {process.returncode}:\n{_tail(log_path)}")
        with (
            suppress(urllib.error.URLError, OSError),
            urllib.request.urlopen(f"{url}/health/", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"kehu serve did not answer /health/ in time:\n{_tail(log_path)}")


def _tail(path: Path, chars: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def _stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (serve, gunicorn, worker, scheduler)."""
    group = process.pid  # started with start_new_session=True: its pid is its group id
    with suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)  # anybody left in the group?
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


@contextmanager
def _server_database() -> Iterator[str]:
    """A fresh PostgreSQL database when KEHU_DATABASE_URL names PostgreSQL, else "" (the
    server then uses SQLite in its own data folder)."""
    url = os.environ.get("KEHU_DATABASE_URL", "")
    if url.startswith("postgres"):
        with _fresh_postgres_database(url) as fresh:
            yield fresh
    else:
        yield ""


def _prepare(server: Server) -> None:
    """What a user does before serving: migrate, collect static files, load the demo."""
    # collectstatic does not touch the database: let it run alongside migrate and seed_demo.
    collect_log = server.data_dir / "collectstatic.log"
    with collect_log.open("wb") as log:
        collect = subprocess.Popen(
            [kehu_command(), "collectstatic", "--noinput", "--verbosity", "0"],
            env=server.env,
            cwd=server.data_dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        server.kehu("migrate", "--noinput", "--verbosity", "0", timeout=300)
        server.kehu("seed_demo")
    finally:
        collect.wait(timeout=300)
    if collect.returncode != 0:
        raise RuntimeError(f"kehu collectstatic failed:\n{_tail(collect_log)}")


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    _ensure_front_end_assets()
    data_dir = Path(tempfile.mkdtemp(prefix="kehu-browser-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"KEHU_DATABASE_URL", "KEHU_PORT", "KEHU_SECRET_KEY"}
    }
    env.update(
        KEHU_DATA_DIR=str(data_dir),
        KEHU_LOCKOUT_THRESHOLD=str(lockout_threshold()),
        # Every browser test signs in from 127.0.0.1: the lock-out test's wrong passwords
        # must not stop the others' sign-ins by the per-address limit.
        KEHU_SIGNIN_ATTEMPTS_PER_MINUTE="1000",
        KEHU_DEMO_PASSWORD=demo_password(),
        KEHU_DEMO_CUSTOMERS="100",  # enough for every flow; the server starts sooner
        # Chat robots may post to the tests' stand-in of the platforms on 127.0.0.1.
        KEHU_ROBOT_ALLOWED_HOSTS="127.0.0.1",
        # Backups go beside the data folder, never into it (where the keys are).
        KEHU_BACKUP_DIR=f"{data_dir}-backups",
        DJANGO_SETTINGS_MODULE="kehu.settings",
        PYTHONUNBUFFERED="1",
    )
    try:
        with _server_database() as database_url:
            if database_url:
                env["KEHU_DATABASE_URL"] = database_url
                # Cluster mode generates no keys: the server gets the fixed test keys.
                env.update({k: v for k, v in TEST_KEYS.items() if not env.get(k)})
                env["KEHU_SECRET_KEY"] = TEST_KEYS["KEHU_SECRET_KEY"]
            port = _free_port()
            log_path = data_dir / "server.log"
            server = Server(f"http://127.0.0.1:{port}", env, data_dir, log_path)
            _prepare(server)
            command = [kehu_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    [*command, "--workers", "2"],
                    env=env,
                    cwd=data_dir,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            try:
                _wait_until_healthy(server.url, process, log_path)
                yield server
            finally:
                _stop_process_group(process)
                if server.failed_tests:
                    RESULTS.mkdir(exist_ok=True)
                    shutil.copyfile(log_path, RESULTS / "server.log")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(f"{data_dir}-backups", ignore_errors=True)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(
        executable_path=os.environ.get("KEHU_CHROMIUM", "/usr/bin/chromium"),
        args=CHROMIUM_ARGS,
    )
    yield chromium
    chromium.close()


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember on the test item that it failed (the screenshot fixture asks)."""
    report = yield
    if report.failed:
        item.stash[_FAILED] = True
    return report


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run browser tests last: while Playwright runs, Django refuses ORM calls."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture
def new_page(
    browser: Browser, server: Server, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """Open a page in a new browser context (its own cookies); closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**options: object) -> Page:
        settings: dict[str, object] = {
            "base_url": server.url,
            "viewport": {"width": 1366, "height": 900},
            "accept_downloads": True,
        }
        settings.update(options)
        context = browser.new_context(**settings)  # type: ignore[arg-type]
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    if request.node.stash.get(_FAILED, False):
        server.failed_tests.append(request.node.nodeid)
        RESULTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        for c_index, context in enumerate(contexts):
            for p_index, open_page in enumerate(context.pages):
                with suppress(Exception):
                    open_page.screenshot(
                        path=RESULTS / f"{stem}-{c_index}-{p_index}.png", full_page=True
                    )
    for context in contexts:
        with suppress(Exception):
            context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


@pytest.fixture(scope="package")
def admin_state(browser: Browser, server: Server) -> dict[str, Any]:
    """The cookies of one administrator sign-in through the form, shared by the tests that
    only need to act as the administrator (each password check costs hashing time)."""
    context = browser.new_context(base_url=server.url)
    try:
        sign_in_ok(context.new_page(), "admin")
        return context.storage_state()  # type: ignore[return-value]
    finally:
        context.close()


@pytest.fixture
def admin_page(new_page: Callable[..., Page], admin_state: dict[str, Any]) -> Page:
    """A page of a new context already signed in as the demo administrator."""
    return new_page(storage_state=admin_state)
