# TEMPORARY (not to be committed): stands in for the lead's tests/conftest.py fixture.
from pathlib import Path
from types import SimpleNamespace

import pytest


@pytest.fixture
def refreshed_warehouse():
    return SimpleNamespace(publish_file=Path("/tmp/bistand-dev/alt/publish.duckdb"))
