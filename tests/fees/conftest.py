from tests.platform_settings.conftest import seeded  # noqa: F401 (a fixture)
