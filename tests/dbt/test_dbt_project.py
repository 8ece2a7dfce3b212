"""The dbt project's shape: documented, under contract, every indicator unit-tested, every page an
exposure reading only the publish schema. Reads the parsed project (no warehouse needed)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO_ROOT / "dbt_project"
PAGES = {
    "oversikt": "/",
    "indikator": "/indikator/<kod>/",
    "hushall": "/hushall",
    "floden": "/floden",
    "ekonomi": "/ekonomi",
    "insatser": "/insatser",
    "boende": "/boende",
    "synpunkter": "/synpunkter",
    "personal": "/personal",
    "datakvalitet": "/datakvalitet",
    "metod": "/metod",
    "rapport": "/rapport",
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    """The project's manifest as Dagster reads it (dbt_project/target/manifest.json), parsed
    anew by ensure_manifest() when any file of the project is newer than it."""
    from orchestration.project import dbt_project, ensure_manifest

    ensure_manifest()
    return json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))


def models(manifest: dict) -> list[dict]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def test_every_model_and_its_columns_are_described(manifest: dict) -> None:
    missing = []
    for node in models(manifest):
        if not node["description"].strip():
            missing.append(node["name"])
        if not node["columns"]:
            missing.append(f"{node['name']} (no columns)")
        missing += [
            f"{node['name']}.{name}"
            for name, column in node["columns"].items()
            if not column["description"].strip()
        ]
    assert not missing, missing


def test_marts_and_publish_models_are_under_contract(manifest: dict) -> None:
    loose = [
        node["name"]
        for node in models(manifest)
        if node["fqn"][1] in ("marts", "publish") and not node["config"]["contract"]["enforced"]
    ]
    assert not loose, loose


def test_every_catalogue_indicator_has_a_unit_test_with_exact_values(manifest: dict) -> None:
    with (DBT_PROJECT / "seeds" / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        codes = [row["indicator_code"] for row in csv.DictReader(handle)]
    # the fan-out (int_kpi_period_cells) with exact cells, and the fact table's values,
    # statuses and empty cells from them
    fan_out = " ".join(
        json.dumps(test)
        for test in manifest["unit_tests"].values()
        if test["model"] == "int_kpi_period_cells"
    )
    assert any(t["model"] == "fct_indicator_value" for t in manifest["unit_tests"].values())
    observations = " ".join(
        json.dumps(test)
        for test in manifest["unit_tests"].values()
        if test["model"].startswith("int_kpi_obs_")
    )
    assert [c for c in codes if c not in fan_out] == []
    assert [c for c in codes if c not in observations] == []


def test_every_page_is_an_exposure_reading_only_publish_models(manifest: dict) -> None:
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert {name: e["url"] for name, e in exposures.items()} == PAGES
    nodes = manifest["nodes"]
    read = set()
    for exposure in exposures.values():
        assert exposure["type"] == "dashboard"
        for node_id in exposure["depends_on"]["nodes"]:
            assert nodes[node_id]["fqn"][1] == "publish", (exposure["name"], node_id)
            read.add(nodes[node_id]["name"])
    published = {n["name"] for n in models(manifest) if n["fqn"][1] == "publish"}
    assert published == read, f"publish models no page reads: {sorted(published - read)}"


def test_every_singular_test_is_a_dagster_check_and_the_publish_scan_runs_last(
    manifest: dict,
) -> None:
    """A singular test with several parents names the model it checks (meta.dagster.ref), so
    that Dagster records it as an asset check; the scan of the publish schema depends on every
    publish model, so that it runs after them (it reads the catalogue, not a ref)."""
    nodes = manifest["nodes"]
    for node in nodes.values():
        if node["resource_type"] != "test" or node.get("test_metadata"):
            continue
        parents = node["depends_on"]["nodes"]
        if len(parents) != 1:
            assert node["config"]["meta"]["dagster"]["ref"]["name"], node["name"]
    scan = next(
        n for n in nodes.values() if n["name"] == "assert_publish_has_no_person_level_columns"
    )
    published = {
        uid
        for uid, n in nodes.items()
        if n["resource_type"] == "model" and n["fqn"][1] == "publish"
    }
    assert published <= set(scan["depends_on"]["nodes"]), sorted(
        published - set(scan["depends_on"]["nodes"])
    )
