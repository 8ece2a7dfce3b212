"""How dbt nodes become Dagster assets: keys [schema, name], groups by top folder under models/."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey

from orchestration.dagster_dbt_import import DagsterDbtTranslator, DagsterDbtTranslatorSettings


class BistandTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)  # meta.dagster.asset_key → loaders
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"
