"""The Dagster loader assets: their check fails while rejects are outstanding — also in a run
that delivered nothing new — and passes once a corrected delivery has loaded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dagster import DagsterInstance, materialize

from orchestration.assets.loaders import (
    REJECTS_CHECK,
    UNKNOWN_FILES_KEY,
    loader_asset_key,
    raw_loaders,
)
from orchestration.resources import WarehouseResource
from orchestration.settings import KEY_ENV
from tests.loaders.support import FILE, delivery


def run(landing: Path, warehouse: Path, instance: DagsterInstance) -> dict:
    result = materialize(
        [raw_loaders],
        selection=[loader_asset_key("befolkning"), UNKNOWN_FILES_KEY],
        resources={"warehouse": WarehouseResource(landing=str(landing), warehouse=str(warehouse))},
        instance=instance,
    )
    assert result.success
    # one step loads only the selected exports
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialized == {"raw/befolkning", "raw/okanda_filer"}
    return {
        e.asset_key.to_user_string(): (e.passed, e.metadata)
        for e in result.get_asset_check_evaluations()
        if e.check_name == REJECTS_CHECK
    }


def test_the_check_fails_while_rejects_are_outstanding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, "test")
    landing = tmp_path / "landing"
    landing.mkdir()
    warehouse = tmp_path / "warehouse.duckdb"
    name = FILE["befolkning"]
    (landing / name).write_text(delivery("befolkning", [None, {"kon": "X"}]), encoding="utf-8")
    (landing / "okand_2024.csv").write_text("a\n1\n", encoding="utf-8")
    with DagsterInstance.ephemeral() as instance:
        first = run(landing, warehouse, instance)
        assert first["raw/befolkning"][0] is False
        assert first["raw/befolkning"][1]["utestaende_rader"].value == 1
        assert first["raw/befolkning"][1]["nya_avvisade_rader"].value == 1
        assert first["raw/okanda_filer"][0] is False

        second = run(landing, warehouse, instance)  # nothing new delivered
        assert second["raw/befolkning"][0] is False
        assert second["raw/befolkning"][1]["nya_avvisade_rader"].value == 0
        assert second["raw/befolkning"][1]["utestaende_orsaker"].value == {"okänd kod 'X' i kon": 1}

        (landing / name).write_text(delivery("befolkning", [None, None]), encoding="utf-8")
        os.utime(landing / name, (2_000_000_000, 2_000_000_000))
        (landing / "okand_2024.csv").unlink()
        third = run(landing, warehouse, instance)
        assert third["raw/befolkning"][0] is True
        assert third["raw/okanda_filer"][0] is True
