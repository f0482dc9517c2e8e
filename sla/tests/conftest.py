from tickets.tests.conftest import private_storage  # noqa: F401  (the request fixtures, shared)
