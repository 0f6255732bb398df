"""Helpers for the check tests: run checks on a storage mapping and index results by name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from dtr_tui.core.draft import StorageDraft
from dtr_tui.core.versions import V2_8, RegistryVersion
from dtr_tui.services.checks import CheckResult, Status, run_checks


class Results(dict[str, CheckResult]):
    """Results by check name, with a readable dump for assertion messages."""

    def dump(self) -> str:
        return "\n".join(f"  {r.status:<8} {r.name}: {r.detail} | {r.fix}" for r in self.values())

    def failed(self) -> list[str]:
        return [n for n, r in self.items() if r.status is Status.FAIL]

    def assert_all_pass(
        self, allow_warn: tuple[str, ...] = (), allow_skip: tuple[str, ...] = ()
    ) -> None:
        for name, result in self.items():
            ok = {Status.PASS}
            if name in allow_warn:
                ok.add(Status.WARN)
            if name in allow_skip:
                ok.add(Status.SKIPPED)
            assert result.status in ok, f"{name} is {result.status}:\n{self.dump()}"


def check_storage(
    driver: str,
    params: Mapping[str, Any],
    version: RegistryVersion = V2_8,
    **kwargs: Any,
) -> Results:
    results = run_checks(StorageDraft(driver, dict(params)), version, **kwargs)
    return Results((r.name, r) for r in results)


@pytest.fixture
def check() -> Any:
    return check_storage
