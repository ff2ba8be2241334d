"""The password hasher: Argon2id with at least the memory and passes OWASP's password
storage guidance names as the minimum (19 MiB, 2 passes, 1 lane), here 32 MiB and 2 passes.
A password stored with an older hasher (PBKDF2) is checked by that hasher and stored again
with this one at its next sign-in."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Django's Argon2id hasher with one lane and 32 MiB, so that a sign-in stays quick on a
    small server (bench/README.md, sign-in)."""

    time_cost = 2
    memory_cost = 32 * 1024  # KiB
    parallelism = 1
