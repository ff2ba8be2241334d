from kehu.customers.tests.conftest import api_for, make_org, make_person  # noqa: F401
