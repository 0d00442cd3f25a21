"""The engine's unit tests here run without the ``app`` fixture: they read messages in the
office's language (zh_CN), as a background task or the CLI does."""
import pytest


@pytest.fixture(autouse=True)
def _office_language(office_language):
    yield
