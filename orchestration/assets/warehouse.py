"""dbt models, seeds and tests as Dagster assets and asset checks."""

import os
from collections.abc import Iterator
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.project import dbt_project
from orchestration.resources import WarehouseResource
from orchestration.settings import WAREHOUSE_ENV
from orchestration.translator import BistandTranslator


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=BistandTranslator())
def dbt_warehouse(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """`dbt build`: seeds, staging → intermediate → marts → publish, with every data test.

    dbt's unit tests check the SQL, not the data: they run in `make test` (tests/test_dbt.py),
    not in every nightly refresh, where they would only add a third to the build time.
    """
    # profiles.yml reads the warehouse path from the environment the dbt process inherits.
    os.environ[WAREHOUSE_ENV] = str(warehouse.paths().warehouse)
    yield from dbt.cli(["build", "--exclude-resource-type", "unit_test"], context=context).stream()
