"""The password hasher: Argon2id with at least the memory and passes OWASP's password
storage guidance names as the minimum (19 MiB, 2 passes, 1 lane), here 32 MiB and 2 passes.
A password stored with an older hasher (PBKDF2) is checked by that hasher and stored again
with this one at its next sign-in."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Django's Argon2id hasher with one lane and 32 MiB: on a two-core server one check
    costs about a tenth of a second, where Django's default (8 lanes, 100 MiB) or PBKDF2 at
    OWASP's 600,000 iterations cost over half a second each."""

    time_cost = 2
    memory_cost = 32 * 1024  # KiB
    parallelism = 1
