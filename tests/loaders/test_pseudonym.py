"""The pseudonym key: EB_PSEUDONYM_KEY first, else a key file beside the warehouse (0600)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from orchestration.pseudonym import load_or_create_key, pseudonymise
from orchestration.resources import WarehouseResource
from orchestration.settings import KEY_ENV
from tests.loaders.support import FILE, PNR, delivery


def test_a_key_file_is_created_once_owner_only_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    resource = WarehouseResource(landing=str(tmp_path), warehouse=str(warehouse))
    key = resource.pseudonym_key()
    key_file = tmp_path / "data" / "pseudonym.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key) == 64 and int(key, 16)
    assert resource.pseudonym_key() == key
    assert load_or_create_key(key_file) == key


def test_the_environment_key_takes_precedence_and_creates_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "pseudonym.key"
    monkeypatch.setenv(KEY_ENV, "från-miljön")
    assert load_or_create_key(key_file) == "från-miljön".encode()
    assert not key_file.exists()
    monkeypatch.delenv(KEY_ENV)
    file_key = load_or_create_key(key_file)
    monkeypatch.setenv(KEY_ENV, "från-miljön")
    assert load_or_create_key(key_file) == "från-miljön".encode() != file_key


def test_a_readable_key_file_is_narrowed_and_an_empty_one_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    key_file = tmp_path / "pseudonym.key"
    key_file.write_bytes(b"copied-key\n")
    key_file.chmod(0o644)
    assert load_or_create_key(key_file) == b"copied-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_file.write_bytes(b"\n")
    with pytest.raises(ValueError, match="är tom"):
        load_or_create_key(key_file)


def test_pseudonyms_are_stable_between_runs_and_depend_on_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    import duckdb

    from orchestration.loaders.contract import EXPORTS
    from orchestration.loaders.engine import load_export

    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / FILE["hushallsmedlemmar"]).write_text(
        delivery("hushallsmedlemmar", [{"personnummer": PNR[7]}]), encoding="utf-8"
    )
    key_file = tmp_path / "pseudonym.key"

    def pseudonym(run: str, key: bytes) -> str:
        con = duckdb.connect(str(tmp_path / f"{run}.duckdb"))
        load_export(con, EXPORTS["hushallsmedlemmar"], landing, key)
        (value,) = con.execute("select person_pseudonym from raw.hushallsmedlemmar").fetchone()
        con.close()
        return value

    first = pseudonym("first", load_or_create_key(key_file))
    second = pseudonym("second", load_or_create_key(key_file))
    other = pseudonym("other", b"another key")
    assert first == second == pseudonymise(key_file.read_bytes().strip(), PNR[7])
    assert other != first
