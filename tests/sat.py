"""Where SAT's test e.firma sets are, and how to read them (see the README in that folder).

The folder lives outside the repository; ICSOE_SAT_FIXTURES overrides where. When it is missing, the tests that
need it skip with the reason instead of failing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SAT_FIXTURES = Path(os.environ.get("ICSOE_SAT_FIXTURES", REPO_ROOT.parent / "shared" / "fixtures" / "sat"))

SKIP_REASON = f"SAT fixtures not found at {SAT_FIXTURES}; set ICSOE_SAT_FIXTURES"
requires_sat_fixtures = pytest.mark.skipif(not SAT_FIXTURES.is_dir(), reason=SKIP_REASON)


def sat_path(*parts: str) -> Path:
    """A path inside the fixtures folder; skips the test when the folder (or that file) is missing."""
    path = SAT_FIXTURES.joinpath(*parts)
    if not SAT_FIXTURES.is_dir():
        pytest.skip(SKIP_REASON)
    if not path.exists():
        pytest.skip(f"{path} not found in the SAT fixtures")
    return path


def sat_bytes(*parts: str) -> bytes:
    return sat_path(*parts).read_bytes()


def load_set(name: str) -> tuple[bytes, bytes, str]:
    """(certificate.cer, private_key.key, password) of one set folder."""
    folder = sat_path(name)
    return (
        (folder / "certificate.cer").read_bytes(),
        (folder / "private_key.key").read_bytes(),
        (folder / "password.txt").read_text(encoding="utf-8"),
    )


def set_names() -> list[str]:
    """Every credential-set folder (not `ca/`), so a new set is exercised without editing the tests."""
    if not SAT_FIXTURES.is_dir():
        return []
    return sorted(p.name for p in SAT_FIXTURES.iterdir() if (p / "certificate.cer").is_file())


def ca_files(kind: str) -> list[Path]:
    """The files in ca/prod or ca/test."""
    folder = SAT_FIXTURES / "ca" / kind
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


@pytest.fixture
def sat_fixtures() -> Path:
    """The fixtures folder; skips the test when it is missing."""
    if not SAT_FIXTURES.is_dir():
        pytest.skip(SKIP_REASON)
    return SAT_FIXTURES
