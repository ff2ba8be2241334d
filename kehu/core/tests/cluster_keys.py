"""pytest plugin (pyproject addopts, loaded before the settings): a test run on PostgreSQL is
cluster mode, where every key must be given (none is generated); fixed test keys are given
unless the environment has its own. They protect nothing but the throw-away test database
(the benchmarks on PostgreSQL use them too)."""

import os

TEST_KEYS = {
    "KEHU_SECRET_KEY": "test-only-secret-key-for-the-postgresql-test-database",
    "KEHU_LOOKUP_KEY": "test-only-lookup-key",
    "KEHU_FILE_KEYS": "t1:test-only-file-key",
    "KEHU_FIELD_KEYS": "t1:test-only-field-key",
    "KEHU_AUDIT_KEY": "test-only-audit-key-for-the-postgresql-test-database",
}


def give_test_keys() -> None:
    """Fixed keys for a throw-away PostgreSQL database (tests, benchmarks), unless given."""
    if "postgres" not in os.environ.get("KEHU_DATABASE_URL", ""):
        return
    for name, value in TEST_KEYS.items():
        # KEHU_FIELD_KEY / KEHU_FILE_KEY given instead of the keyring count as given.
        if not os.environ.get(name) and not os.environ.get(name.removesuffix("S")):
            os.environ[name] = value


give_test_keys()
