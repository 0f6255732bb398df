"""The headless commands. Each returns its exit code; errors are raised as DtrError."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.document import ConfigDocument
from ..core.errors import DtrError
from ..core.plan import Plan, plan_change
from ..core.problems import Severity
from ..core.safe_write import current_fingerprint, list_backups, restore_backup
from ..core.secrets import mask_text
from ..core.upload import ExportExistsError, export_storage, write_export
from ..services.apply import apply_plan
from ..services.environment import environment_report
from .check_command import inventory_warning
from .inputs import load_inputs
from .locate import config_path, registry_version
from .render import colour_diff, colour_enabled, dump_json, problems_table, safe_text

if TYPE_CHECKING:
    from ..services.docker_target import DockerTarget

OK, CHANGED, ERROR = 0, 1, 2
RESTART_HINT = (
    "The registry reads its config only at start: restart it to use the new storage "
    "(e.g. docker restart <registry container>)."
)


def validate(args: argparse.Namespace) -> int:
    path = Path(args.file) if args.file else config_path(args)
    version = registry_version(args)
    doc = ConfigDocument.load(path)
    problems = doc.problems(version)
    valid = not any(p.severity is Severity.ERROR for p in problems)
    if args.output == "json":
        dump_json(
            {
                "file": str(path),
                "registry_version": str(version),
                "valid": valid,
                "problems": [p.as_dict() for p in problems],
            }
        )
    else:
        problems_table(problems)
        errors = sum(p.severity is Severity.ERROR for p in problems)
        verdict = "valid" if valid else f"invalid: {errors} error(s)"
        print(f"{path}: {verdict} for registry {version}")
    return OK if valid else CHANGED


def plan(args: argparse.Namespace) -> int:
    _refuse_engine_flags(args, "plans against the file alone")
    as_json = args.output == "json"
    if getattr(args, "service", None):
        target, env_notes, doc = _plan_service(args)
    else:
        target, env_notes = _plan_target(args, quiet=as_json)
        doc = None
    inputs = load_inputs(args, doc=doc)
    result = plan_change(inputs.doc, inputs.draft, inputs.version)
    env = environment_report(result, target) if target is not None else None
    notes = inputs.notes + env_notes
    data = inventory_warning(args, inputs, quiet=as_json, container=target)  # --inventory
    if as_json:
        extra = {"data_move": data} if args.inventory is not None else {}
        dump_json({**_plan_json(result, notes), "environment": env, **extra})
    else:
        _print_plan(result, notes)
        if env is not None:
            _print_environment(env)
    if result.errors or (env is not None and env["refused"]):
        return ERROR
    return CHANGED if result.has_changes else OK


def _plan_service(args: argparse.Namespace) -> tuple[Any, list[str], ConfigDocument]:
    from ..services.docker_target import docker_client
    from ..services.swarm import find_service, read_service_config

    _refuse_unusable_docker_host()
    client = docker_client()
    target = find_service(client, args.service)
    doc = read_service_config(client, target)
    return target, [f"target: {target.label}: {target.delivery} ({doc.source})"], doc


def _print_environment(env: dict[str, Any]) -> None:
    print(f"\nEnvironment of {env['container']}:")
    if not env["findings"] and not env["shadowed"]:
        names = ", ".join(env["variables"]) or "no REGISTRY_* variables"
        print(f"  nothing overrides the storage section ({names})")
        return
    for finding in env["findings"]:
        print(safe_text(f"  {finding['severity']}: {finding['variable']}: {finding['problem']}"))
    for line in env["shadowed"]:
        print(f"  shadowed: {safe_text(line)}")
    if env["refused"]:
        print("  apply refuses this change unless --force is given")


def _plan_target(args: argparse.Namespace, *, quiet: bool) -> tuple[DockerTarget | None, list[str]]:
    """The registry container whose environment the plan is checked against: --container, or
    the one running registry container when an engine is there. Without --container a missing
    engine or an ambiguous choice is a note, never an error: plan works on the file alone."""
    if getattr(args, "container", None):
        target, _ = _docker_target(args, announce=not quiet)
        return target, []
    if getattr(args, "no_container", False):
        return None, []
    from ..services.docker_target import (
        DockerUnavailableError,
        docker_client,
        engine_configured,
        find_target,
    )

    if not engine_configured():
        return None, []  # no engine on this host: nothing to look for
    unusable = docker_host_problem()
    if unusable is not None:
        return None, [f"the container environment was not checked: {unusable}"]
    try:
        target = find_target(docker_client())
    except DockerUnavailableError as exc:
        return None, [f"the container environment was not checked: {exc.message}"]
    except DtrError as exc:
        return None, [f"the container environment was not checked: {exc}"]
    if target is None:
        return None, []
    wanted = config_path(args) if getattr(args, "config", None) else None
    if target.swarm_service:
        return None, [
            f"{target.label} is a task of the Swarm service {target.swarm_service}: plan with "
            f"--service {target.swarm_service} to check its config and environment"
        ]
    if target.config_on_host is None:
        return None, [
            f"{target.label} reads a config baked into its image; its environment was not "
            "checked against this file"
        ]
    if wanted is not None and not target.reads(wanted):
        return None, [
            f"{target.label} reads {target.config_on_host}, not {wanted}: its environment "
            "was not checked (name it with --container to check anyway)"
        ]
    args.config = str(target.config_on_host)
    return target, [f"target: {target.label}: {target.config_inside} is {target.config_on_host}"]


def _refuse_engine_flags(args: argparse.Namespace, alone: str) -> None:
    """--no-container with --restart, --container or --service: they contradict."""
    if not getattr(args, "no_container", False):
        return
    clash = [
        flag
        for flag, given in (
            ("--restart", getattr(args, "restart", False)),
            ("--container", getattr(args, "container", None)),
            ("--service", getattr(args, "service", None)),
        )
        if given
    ]
    if clash:
        raise DtrError(
            f"--no-container {alone}, but {' and '.join(clash)} "
            f"need{'s' if len(clash) == 1 else ''} the Docker engine",
            field="--no-container",
            hint="drop one of them",
        )


def apply(args: argparse.Namespace) -> int:
    _refuse_engine_flags(args, "writes the file alone")
    if getattr(args, "service", None):
        return _apply_service(args)
    target, client = _docker_target(args)
    unchecked = _unchecked_environment(args) if target is None else []
    # the messages name the file absolute, as the audit line does
    args.config = str(config_path(args).absolute())
    inputs = load_inputs(args)
    result = plan_change(inputs.doc, inputs.draft, inputs.version)
    _print_plan(result, inputs.notes + unchecked)
    inventory_warning(args, inputs, container=target)  # --inventory, before the confirmation
    stop = _stop_before_writing(
        result, args.yes, f"Write this change to {result.source}?", "written"
    )
    if stop is not None:
        return stop
    inode = _inode(Path(result.source))
    outcome = apply_plan(
        result,
        progress=lambda step: print(f"  {step}", flush=True),
        target=target,
        client=client,
        restart=bool(getattr(args, "restart", False)),
        timeout=getattr(args, "timeout", 60.0),
        force=bool(getattr(args, "force", False)),
        accept_unverified=bool(getattr(args, "accept_unverified", False)),
    )
    if outcome.healthy is None:
        print(RESTART_HINT)
        if target is None and inode is not None and _inode(Path(result.source)) != inode:
            print(SINGLE_FILE_MOUNT_NOTE, file=sys.stderr)
    return _written(args, _report_outcome(outcome))


SINGLE_FILE_MOUNT_NOTE = (
    "note: the file was replaced by a new one (a new inode): a container that bind-mounts "
    "this one file (-v FILE:/etc/docker/registry/config.yml) keeps the old one, even after "
    "docker restart; recreate it, bind-mount the directory instead, or apply with "
    "--container NAME, which rewrites such a file in place"
)


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()  # through a symlink: the file the registry reads
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _written(args: argparse.Namespace, code: int) -> int:
    """apply's code once the file is written: 0, or 1 under --detailed-exitcode so that a
    script tells "written" (restart the registry) from "nothing to change" (0)."""
    return CHANGED if code == OK and getattr(args, "detailed_exitcode", False) else code


def docker_host_problem() -> str | None:
    """Why DOCKER_HOST cannot name an engine (`bogus://x`, `tcp://`), or None."""
    value = os.environ.get("DOCKER_HOST", "")
    if not value:
        return None
    try:
        from docker.utils import parse_host

        parse_host(value)
    except ImportError:
        return None  # docker_client says the package is missing
    except Exception as exc:  # DockerException, ValueError: the SDK's own reason
        return (
            f"DOCKER_HOST={value} is not usable: {exc}; it takes unix:///PATH, "
            "tcp://HOST:PORT or ssh://[USER@]HOST"
        )
    return None


def _refuse_unusable_docker_host() -> None:
    unusable = docker_host_problem()
    if unusable is not None:
        raise DtrError(unusable, hint="fix or unset DOCKER_HOST, or add --no-container")


def _unchecked_environment(args: argparse.Namespace) -> list[str]:
    """apply without --container: the note plan gives when the engine named by DOCKER_HOST (or
    the local socket) cannot be asked, so the REGISTRY_* environment was not checked."""
    if getattr(args, "no_container", False):
        return []
    from ..services.docker_target import (
        DockerUnavailableError,
        docker_client,
        engine_configured,
        find_target,
    )

    if not engine_configured():
        return []
    unusable = docker_host_problem()
    if unusable is not None:
        return [f"the container environment was not checked: {unusable}"]
    try:
        target = find_target(docker_client())
    except DockerUnavailableError as exc:
        return [f"the container environment was not checked: {exc.message}"]
    except DtrError as exc:
        return [f"the container environment was not checked: {exc}"]
    if target is None:
        return []
    return [
        f"{target.label}'s REGISTRY_* environment is not checked by apply without "
        f"--container: add --container {target.name} (or run plan first)"
    ]


def _stop_before_writing(result: Plan, yes: bool, question: str, verb: str) -> int | None:
    """The exit code when nothing may be written (errors, no change, not confirmed), else None."""
    if result.errors:
        print(f"Nothing was {verb}: fix the errors above first.", file=sys.stderr)
        return ERROR
    if not result.has_changes:
        print("Nothing to change.")
        return OK
    if not yes and not _confirm(question):
        print(f"Nothing was {verb}.", file=sys.stderr)
        return ERROR
    return None


def _report_outcome(outcome: Any) -> int:
    if outcome.failure:
        print(f"The new config is not in use: {outcome.failure}", file=sys.stderr)
        if outcome.log_tail:
            print("Last lines of the registry's log:", file=sys.stderr)
            print("  " + outcome.log_tail.replace("\n", "\n  "), file=sys.stderr)
    unverified = getattr(outcome, "unverified", "")
    if unverified:
        accepted = getattr(outcome, "accept_unverified", False)
        print(
            f"Storage NOT verified: the registry serves on the new config, but {unverified}. "
            + (
                "Accepted (--accept-unverified)."
                if accepted
                else "Exit 2: prove it with a push, or add --accept-unverified to accept this."
            ),
            file=sys.stderr,
        )
    interrupted = getattr(outcome, "interrupted", "")
    if interrupted:
        import signal

        number = getattr(signal, interrupted, None)
        return 128 + int(number) if number is not None else ERROR
    return OK if outcome.ok else ERROR


def _apply_service(args: argparse.Namespace) -> int:
    """apply --service NAME: a rolling update of a Swarm service, the config delivered as the
    service gets it (bind-mounted file, or a new Docker config object swapped in)."""
    from ..services.docker_target import docker_client
    from ..services.swarm import apply_to_service, find_service, read_service_config

    _refuse_unusable_docker_host()
    client = docker_client()
    target = find_service(client, args.service)
    doc = read_service_config(client, target)
    print(f"target: {target.label}: {target.config_inside} from a {target.delivery} ({doc.source})")
    inputs = load_inputs(args, doc=doc)
    result = plan_change(inputs.doc, inputs.draft, inputs.version)
    _print_plan(result, inputs.notes)
    stop = _stop_before_writing(
        result, args.yes, f"Update {target.label} with this change?", "changed"
    )
    if stop is not None:
        return stop
    outcome = apply_to_service(
        result,
        target,
        client,
        progress=lambda step: print(f"  {step}", flush=True),
        timeout=getattr(args, "timeout", 60.0),
        force=bool(getattr(args, "force", False)),
    )
    return _written(args, _report_outcome(outcome))


def history(args: argparse.Namespace) -> int:
    from ..services.audit import audit_path, read_history

    path = config_path(args)
    if getattr(args, "service", None):  # a config object has no file: its log is kept aside
        from ..services.swarm import service_audit_base

        path = service_audit_base(args.service)
    entries = read_history(path)
    if not entries:
        print(f"no applies recorded for {path} (looked in {audit_path(path)})")
        return OK
    for entry in entries:
        print(
            f"{entry.get('time', '?')}  {entry.get('user', '?')}  {entry.get('outcome', '?')}"
            f"  {entry.get('target', '?')}  {str(entry.get('fingerprint_after', ''))[:12]}"
        )
        for line in entry.get("summary") or []:
            print(f"    {safe_text(str(line))}")
        if entry.get("failure"):
            print(f"    failure: {safe_text(str(entry['failure']))}")
    return OK


def _docker_target(
    args: argparse.Namespace, *, announce: bool = True
) -> tuple[DockerTarget | None, Any]:
    """The registry container for --container/--restart, and the engine client; config path
    taken from its bind mounts unless --config names one."""
    if not getattr(args, "container", None) and not getattr(args, "restart", False):
        return None, None
    from ..services.docker_target import docker_client, find_target

    _refuse_unusable_docker_host()
    client = docker_client()
    target = find_target(client, args.container)
    if target is None:
        raise DtrError(
            "no registry container is running on this Docker engine",
            hint="name it with --container NAME, or drop --restart to edit the file alone",
        )
    on_host = target.require_writable_config()
    if not getattr(args, "config", None):
        args.config = str(on_host)
    if announce:
        print(f"target: {target.label}: {target.config_inside} is {on_host} on this host")
    return target, client


def export(args: argparse.Namespace) -> int:
    path = config_path(args)
    doc = ConfigDocument.load(path)  # as validate: a missing file is an error, not a default
    draft = doc.draft(registry_version(args))
    result = export_storage(draft, include_secrets=args.include_secrets)
    if args.output_file:
        target = Path(args.output_file)
        try:
            write_export(target, result, config=path, replace=bool(args.force))
        except ExportExistsError as exc:
            exc.hint = "add --force to replace it"
            raise
        print(f"wrote the storage section to {target}", file=sys.stderr)
    else:
        sys.stdout.write(result.text)
    if result.secrets and result.included:
        print(
            "warning: the export holds secrets in the clear: " + ", ".join(result.secrets),
            file=sys.stderr,
        )
    elif result.secrets:
        print(
            "secrets redacted: "
            + ", ".join(result.secrets)
            + " (use --include-secrets to include them)",
            file=sys.stderr,
        )
    return OK


def backups(args: argparse.Namespace) -> int:
    path = config_path(args)
    found = list_backups(path)
    if not found:
        if not path.exists() and not path.is_symlink():
            raise DtrError(
                "does not exist: no such config file",
                source=str(path),
                hint="name the registry's config with --config PATH",
            )
        print(f"no backups of {path}")
        return OK
    for number, backup in enumerate(found, start=1):
        stamp = backup.taken_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        print(f"{number:>2}  {stamp}  {backup.size:>7} bytes  {backup.path}")
    return OK


def rollback(args: argparse.Namespace) -> int:
    path = config_path(args)
    found = list_backups(path)
    if not found:
        raise DtrError("has no backups to roll back to", source=str(path))
    chosen = found[0].path
    if args.backup:
        if args.backup.isdigit() and 1 <= int(args.backup) <= len(found):
            chosen = found[int(args.backup) - 1].path
        else:
            chosen = Path(args.backup)
            if chosen not in {b.path for b in found} and not chosen.is_file():
                raise DtrError(
                    f"is not a backup of {path}",
                    source=str(chosen),
                    hint="list them with `dtr-tui backups`",
                )
    fingerprint = current_fingerprint(path)
    current_bytes = path.read_bytes() if path.exists() else b""
    wanted_bytes = chosen.read_bytes()
    if current_bytes == wanted_bytes:
        print("The backup equals the current file.")
        return OK
    from ..core.document import decode_text

    current = decode_text(current_bytes, str(path))  # a plain error, not UnicodeDecodeError
    wanted = decode_text(wanted_bytes, str(chosen))
    changed = _changed_secrets(current, str(path), wanted, str(chosen))
    labels = dict.fromkeys(changed, "changed")  # on the restored side, as plan marks them
    import difflib

    diff = "".join(
        difflib.unified_diff(
            mask_text(current, str(path)).splitlines(keepends=True),
            mask_text(wanted, str(chosen), labels).splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path} (from {chosen.name})",
        )
    )
    print(colour_diff(safe_text(diff), colour_enabled(sys.stdout)), end="")
    if changed:
        print("Secrets that differ: " + ", ".join(".".join(p) for p in changed))
    if not args.yes and not _confirm(f"Restore {chosen.name} over {path}?"):
        print("Nothing was written.", file=sys.stderr)
        return ERROR
    inode = _inode(path)
    result = restore_backup(path, chosen, expected_fingerprint=fingerprint)
    print(f"restored {chosen.name}; the replaced version is kept as {result.backup}")
    _audit_rollback(path, chosen, fingerprint, wanted_bytes, changed, result.backup)
    print(RESTART_HINT)
    if inode is not None and _inode(path) != inode:
        print(SINGLE_FILE_MOUNT_NOTE, file=sys.stderr)
    return OK


def _changed_secrets(
    current: str, current_source: str, wanted: str, wanted_source: str
) -> list[tuple[str, ...]]:
    """Paths of the secret values that differ between two texts (set, removed or changed);
    their values are compared, never shown."""
    from ..core.secrets import secret_spans
    from ..core.yaml_nodes import compose

    def values(text: str, source: str) -> dict[tuple[str, ...], str]:
        spans = secret_spans(compose(text, source))
        return {tuple(s.path): text[s.start : s.end] for s in spans}

    old, new = values(current, current_source), values(wanted, wanted_source)
    paths = list(dict.fromkeys([*old, *new]))
    return [p for p in paths if old.get(p) != new.get(p)]


def _audit_rollback(
    path: Path,
    chosen: Path,
    before: str,
    restored: bytes,
    secrets: list[tuple[str, ...]],
    backup: Path | None,
) -> None:
    """One audit line for a rollback, as apply writes one: no secret value, only key paths."""
    from ..core.document import fingerprint_of
    from ..services.audit import append_audit

    summary = [f"restored the backup {chosen.name}"]
    summary += [f"{'.'.join(p)}: secret changed (********)" for p in secrets]
    entry = {
        "target": "file",
        "config": str(path.absolute()),
        "fingerprint_before": before,
        "fingerprint_after": fingerprint_of(restored),
        "summary": summary,
        "outcome": "rolled-back-by-hand",
        "restored_from": str(chosen.absolute()),
        "backup": str(backup.absolute()) if backup else None,
    }
    try:
        append_audit(path, entry)
    except OSError as exc:
        print(f"warning: the audit line could not be written: {exc.strerror}", file=sys.stderr)


# -- helpers -----------------------------------------------------------------------------


def _print_plan(result: Plan, notes: list[str]) -> None:
    for note in notes:
        print(f"note: {safe_text(note)}", file=sys.stderr)
    if result.has_changes:
        print(colour_diff(safe_text(result.diff), colour_enabled(sys.stdout)), end="")
        print("\nSummary:")
        for line in result.summary:
            print(f"  {safe_text(line)}")
        if result.mode_note:  # said before the write, not only after it
            print(f"  {result.mode_note}")
    else:
        print(f"No change: {safe_text(result.source)} already says this.")
    if result.problems:
        print()
        problems_table(result.problems)


def _plan_json(result: Plan, notes: list[str]) -> dict[str, object]:
    return {
        "file": result.source,
        "registry_version": str(result.version),
        "fingerprint": result.fingerprint,
        "changed": result.has_changes,
        "valid": not result.errors,
        "diff": result.diff,
        "changes": [c.as_dict() for c in result.changes],
        "mode_note": result.mode_note if result.has_changes and result.mode_note else None,
        "problems": [p.as_dict() for p in result.problems],
        "notes": notes,
    }


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        raise DtrError(
            "needs confirmation, and standard input is not a terminal",
            hint="add --yes to write without asking (after reviewing `dtr-tui plan`)",
        )
    answer = input(f"{question} [y/N] ").strip().lower()
    return answer in {"y", "yes"}
