"""The proof is the real registry: configs we write serve a push; configs we reject, it rejects."""

from __future__ import annotations

from pathlib import Path

import pytest

from dtr_tui.cli.main import main
from dtr_tui.core.document import ConfigDocument
from dtr_tui.core.versions import V2_8
from tests.fixtures_servers import RegistryFactory
from tests.support.ports import free_port
from tests.support.push import blob_data_path, push_test_image
from tests.support.registry import run_registry_expecting_failure

pytestmark = pytest.mark.registry


def commented_config(path: Path, port: int) -> Path:
    path.write_text(
        "# written by hand, with comments that must survive\n"
        "version: 0.1\n"
        "log:\n"
        "  level: info   # keep it quiet\n"
        "  accesslog:\n"
        "    disabled: true\n"
        "storage:\n"
        "  inmemory: {}\n"
        "  delete:\n"
        "    enabled: true\n"
        "http:\n"
        f"  addr: 127.0.0.1:{port}   # loopback only\n"
    )
    return path


def test_filesystem_config_written_by_apply_serves_a_push(
    tmp_path: Path, registry_factory: RegistryFactory
) -> None:
    root = tmp_path / "images"
    config = commented_config(tmp_path / "config.yml", free_port())
    code = main(["apply", "--config", str(config), "--driver", "filesystem",
                 "--set", f"filesystem.rootdirectory={root}", "--yes"])  # fmt: skip
    assert code == 0
    assert "# keep it quiet" in config.read_text()
    registry = registry_factory(config)
    pushed = push_test_image(registry.url, "team/app", "v1")
    assert (root / blob_data_path(pushed["layer_digest"])).is_file()


def test_inmemory_config_written_by_apply_serves_a_push(
    tmp_path: Path, registry_factory: RegistryFactory
) -> None:
    config = commented_config(tmp_path / "config.yml", free_port())
    assert main(["apply", "--config", str(config), "--driver", "filesystem",
                 "--set", f"filesystem.rootdirectory={tmp_path}", "--yes"]) == 0  # fmt: skip
    assert main(["apply", "--config", str(config), "--driver", "inmemory", "--yes"]) == 0
    storage = ConfigDocument.load(config).storage_view
    assert storage == {"inmemory": {}, "delete": {"enabled": True}}
    registry = registry_factory(config)
    pushed = push_test_image(registry.url, "team/app", "v2")
    assert pushed["manifest_digest"].startswith("sha256:")


REJECTED = {
    "two drivers": (
        "storage:\n  filesystem:\n    rootdirectory: /tmp/x\n  inmemory: {}\n",
        "must provide exactly one storage type",
    ),
    "s3 without bucket": (
        "storage:\n  s3:\n    region: us-east-1\n    accesskey: a\n    secretkey: b\n",
        "no bucket parameter provided",
    ),
    "misspelt reserved key": (
        "storage:\n  inmemory: {}\n  redirects:\n    disable: true\n",
        "must provide exactly one storage type",
    ),
    "redirect without a boolean": (
        "storage:\n  inmemory: {}\n  redirect:\n    disabled: true\n",
        "invalid type for redirect config",
    ),
    "uploadpurging missing keys": (
        "storage:\n  inmemory: {}\n  maintenance:\n    uploadpurging:\n      enabled: true\n",
        "age missing",
    ),
    # Debian's 2.8.2 is built against a newer AWS SDK than the official image's 1.15.11, so
    # it knows eu-north-1 (which the official registry:2 image refuses); a made-up region is
    # refused by both.
    "unknown region": (
        "storage:\n  s3:\n    region: mars-north-1\n    bucket: b\n",
        "invalid region provided: mars-north-1",
    ),
    "driver name in the wrong case": (
        "storage:\n  InMemory: {}\n",
        "StorageDriver not registered: InMemory",
    ),
}


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_what_we_reject_the_registry_rejects(case: str, tmp_path: Path) -> None:
    storage, registry_message = REJECTED[case]
    config = tmp_path / "config.yml"
    config.write_text(f"version: 0.1\n{storage}http:\n  addr: 127.0.0.1:{free_port()}\n")
    ours = ConfigDocument.load(config).problems(V2_8)
    assert any(p.severity.value == "error" for p in ours), ours
    assert any(registry_message in p.message for p in ours), [p.message for p in ours]
    code, output = run_registry_expecting_failure(config)
    assert code != 0
    assert registry_message in output
