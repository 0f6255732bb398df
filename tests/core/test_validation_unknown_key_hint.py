"""An unknown key's "allowed" list names what the target registry version reads: no 3.x-only
s3 key offered under 2.8, where the same run would then refuse it."""

from __future__ import annotations

from dtr_tui.core.validation import validate_storage
from dtr_tui.core.versions import V2_8, V3_0, RegistryVersion

S3 = {"bucket": "b", "region": "us-east-1", "bogus": 1}


def allowed(version: RegistryVersion) -> list[str]:
    found = [p for p in validate_storage({"s3": S3}, version) if p.path[-1] == "bogus"]
    assert len(found) == 1
    return found[0].allowed.split(", ")


def test_the_hint_follows_the_registry_version() -> None:
    assert "forcepathstyle" not in allowed(V2_8) and "bucket" in allowed(V2_8)
    assert "forcepathstyle" in allowed(V3_0)
