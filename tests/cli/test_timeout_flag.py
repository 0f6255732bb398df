"""--timeout must be a number of seconds above 0 and finite, for apply and check: 0 and a
negative rolled back a good change and reported ROLLBACK FAILED, nan never timed out
(QA 1.7). Refused as a usage error naming what is allowed, before anything is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from dtr_tui.cli.main import main

CONFIG = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /a\n"


@pytest.mark.parametrize("command", ["apply", "check"])
@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "-inf", "1e400", "soon"])
def test_a_timeout_that_is_not_positive_and_finite_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, value: str
) -> None:
    config = tmp_path / "config.yml"
    config.write_text(CONFIG)
    extra = ["--no-container", "--yes"] if command == "apply" else []
    args = ["--config", str(config), command, *extra, f"--timeout={value}"]
    args += ["--set", "filesystem.rootdirectory=/b"]
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --timeout: '{value}' is not allowed" in err
    assert "a number of seconds above 0 and finite" in err
    assert config.read_text() == CONFIG


def test_a_positive_timeout_is_taken(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(CONFIG)
    args = ["--config", str(config), "apply", "--no-container", "--yes", "--timeout", "0.5"]
    assert main([*args, "--set", "filesystem.rootdirectory=/b"]) == 0
    assert "/b" in config.read_text()
