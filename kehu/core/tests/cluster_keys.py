"""pytest plugin (pyproject addopts, loaded before the settings): a test run on PostgreSQL is
cluster mode, where every key must be given (none is generated); fixed test keys are given
unless the environment has its own. They protect nothing but the throw-away test database."""

import os

_TEST_KEYS = {
    "KEHU_SECRET_KEY": "test-only-secret-key-for-the-postgresql-test-database",
    "KEHU_LOOKUP_KEY": "test-only-lookup-key",
    "KEHU_FILE_KEY": "test-only-file-key",
    "KEHU_FIELD_KEYS": "t1:test-only-field-key",
}

if "postgres" in os.environ.get("KEHU_DATABASE_URL", "") and not os.environ.get("KEHU_FIELD_KEY"):
    for _name, _value in _TEST_KEYS.items():
        os.environ.setdefault(_name, _value)
