"""`python -m bench.sign_in`: where the time of one sign-in goes.

Times, in a fresh SQLite data folder (migrated first), the check of one password by each
hasher Kehu may meet — Django's PBKDF2 default, PBKDF2 at OWASP's 600,000 iterations and
Kehu's Argon2id — and the whole sign-in POST through the test client with the password
stored under PBKDF2 (Django's default) and under Argon2id, split into the password check
(`authenticate`) and the rest (lock-out and rate checks, session, audit, redirect).
Medians of `--reps` rounds; nothing passes or fails. Results: bench/README.md."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any


def median_seconds(action: Callable[[], Any], reps: int) -> float:
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sign_in")
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args(argv)
    os.environ["KEHU_DATA_DIR"] = tempfile.mkdtemp(prefix="kehu-bench-sign-in-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.contrib.auth import authenticate
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
    from django.core.management import call_command
    from django.test import Client

    from kehu.accounts.hashers import Argon2idPasswordHasher
    from kehu.core.models import User

    call_command("migrate", verbosity=0, interactive=False)
    password = "Bench-sign-in-2026"

    class Owasp600k(PBKDF2PasswordHasher):
        iterations = 600_000

    print(f"load average {os.getloadavg()[0]:.2f}; {args.reps} rounds, median seconds")
    print("| what | seconds |\n|---|---|")
    hashers: list[tuple[str, Any]] = [
        (f"PBKDF2-SHA256 {PBKDF2PasswordHasher.iterations:,} (Django)", PBKDF2PasswordHasher()),
        ("PBKDF2-SHA256 600,000 (OWASP minimum)", Owasp600k()),
        (
            f"Argon2id {Argon2idPasswordHasher.memory_cost // 1024} MiB, "
            f"t={Argon2idPasswordHasher.time_cost}, p={Argon2idPasswordHasher.parallelism} (Kehu)",
            Argon2idPasswordHasher(),
        ),
    ]
    for label, hasher in hashers:
        encoded = hasher.encode(password, hasher.salt())
        seconds = median_seconds(
            lambda hasher=hasher, encoded=encoded: hasher.verify(password, encoded), args.reps
        )
        print(f"| check one password: {label} | {seconds:.3f} |")

    user = User.objects.create_user(username="bench", password=password, full_name="Bench")
    stored = {
        "PBKDF2 (Django default)": make_password(password, hasher="pbkdf2_sha256"),
        "Argon2id (Kehu)": make_password(password, hasher="argon2"),
    }
    for label, encoded in stored.items():

        def sign_in(encoded: str = encoded) -> None:
            User.objects.filter(pk=user.pk).update(password=encoded)  # no upgrade in between
            response = Client().post(
                "/accounts/login/", {"username": "bench", "password": password}
            )
            assert response.status_code == 302, response.status_code

        def check(encoded: str = encoded) -> None:
            User.objects.filter(pk=user.pk).update(password=encoded)
            assert authenticate(None, username="bench", password=password) is not None

        total = median_seconds(sign_in, args.reps)
        checking = median_seconds(check, args.reps)
        print(f"| sign-in POST, password stored as {label} | {total:.3f} |")
        print(f"| … of which the password check | {checking:.3f} |")
        print(f"| … the rest (session, audit, checks, redirect) | {total - checking:.3f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
