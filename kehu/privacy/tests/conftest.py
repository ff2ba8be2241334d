from kehu.customers.tests.conftest import make_org, make_person  # noqa: F401
