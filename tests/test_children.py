"""SIGTERM still stops a refresh's children after Dagster has swapped its interrupt handlers
(orchestration/children.py: sigterm_kept), also where SIGINT is ignored (no terminal)."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator

import pytest
from dagster._utils.interrupts import capture_interrupts

from orchestration.children import sigterm_kept


@pytest.fixture
def sigint_ignored() -> Iterator[None]:
    """This process as a job started without a terminal: SIGINT ignored (undone after)."""
    sigint, sigterm = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, sigint)
        signal.signal(signal.SIGTERM, sigterm)


def stopped_by_sigterm_within(seconds: float) -> bool:
    """Whether a child started now ends within `seconds` of a SIGTERM."""
    child = subprocess.Popen(["sleep", "30"])
    try:
        time.sleep(0.2)
        child.terminate()
        child.wait(timeout=seconds)
        return child.returncode == -signal.SIGTERM
    except subprocess.TimeoutExpired:
        return False
    finally:
        child.kill()
        child.wait()


def test_dagster_leaves_sigterm_ignored_where_sigint_is(sigint_ignored: None) -> None:
    """The premise: Dagster's handlers, once restored, leave SIGTERM as SIGINT is — ignored —
    and a child then ignores SIGTERM as well."""
    with capture_interrupts():
        pass
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    assert not stopped_by_sigterm_within(2)


def test_sigterm_is_kept_around_dagster(sigint_ignored: None) -> None:
    with sigterm_kept(), capture_interrupts():
        pass
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN  # a background job's, untouched
    assert stopped_by_sigterm_within(5)
