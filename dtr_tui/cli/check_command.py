"""`dtr-tui check` and `dtr-tui policy`: live checks of the draft, and the S3 IAM policy."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import DtrError
from .flags import exit_epilog, inputs_parent, output_parent, seconds

if TYPE_CHECKING:  # the models, the checks and their SDK glue load only when a check runs
    from ..core.draft import StorageDraft
    from ..services.checks import CheckResult
    from ..services.checks.inventory import Vanishing
    from .inputs import Inputs

OK, FAILED, UNUSABLE = 0, 1, 2
_MARK = {"pass": "ok  ", "warn": "warn", "fail": "FAIL", "skipped": "skip"}  # by Status value


def register(
    subparsers: Any,
    common_parent: argparse.ArgumentParser,
    *parents: argparse.ArgumentParser,
    formatter: type[argparse.HelpFormatter] = argparse.RawDescriptionHelpFormatter,
) -> None:
    """Add `check` and `policy`. `parents` are the input/output flag parents `plan` uses;
    without them the same ones are made here."""
    all_parents = [common_parent, *(parents or (inputs_parent(), output_parent()))]
    p = subparsers.add_parser(
        "check",
        parents=all_parents,
        help="prove the storage settings against the backend; exit 0 ok, 1 a check failed",
        epilog=exit_epilog("check"),
        formatter_class=formatter,
    )
    p.add_argument(
        "--timeout",
        type=seconds,
        default=5.0,
        help="seconds per check (default 5; above 0, finite)",
    )
    p.add_argument(
        "--ca-bundle", metavar="FILE", help="a CA file the registry host trusts (custom endpoints)"
    )
    p.add_argument(
        "--create", action="store_true", help="create a missing bucket or container (asks first)"
    )
    p.add_argument("--yes", action="store_true", help="do not ask before creating")
    p.add_argument(
        "--canary",
        nargs="?",
        const="",
        metavar="CONTAINER",
        help="also run the proposed config in a throwaway container from the registry "
        "container's image (default: the one running), push and pull a blob, remove it",
    )
    p.add_argument(
        "--service",
        metavar="NAME",
        help="with --canary: take the image, environment and mounts from this Swarm service, "
        "and check the config it gets",
    )
    p.set_defaults(func=check)

    p = subparsers.add_parser(
        "policy",
        parents=all_parents,
        help="print the minimal S3 IAM policy for the bucket; write it or apply it to a user",
        epilog=exit_epilog("policy"),
        formatter_class=formatter,
    )
    p.add_argument("--write", metavar="FILE", help="write the policy JSON to FILE")
    p.add_argument(
        "--apply-to", metavar="USER", help="put-user-policy on IAM USER with the draft's keys"
    )
    p.add_argument("--iam-endpoint", metavar="URL", help="IAM endpoint (default: AWS)")
    p.add_argument("--yes", action="store_true", help="do not ask before applying")
    p.set_defaults(func=policy)


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def _print_result(result: CheckResult) -> None:
    print(f"  {_MARK[result.status]}  {result.name} ({result.seconds:.2f} s): {result.detail}")
    if result.fix and result.status in ("fail", "warn"):
        print(f"        fix: {result.fix}")
    sys.stdout.flush()


def check(args: argparse.Namespace) -> int:
    import json

    from ..services.checks import Status, run_checks
    from ..services.checks.settings import NAME as SETTINGS
    from . import canary_command
    from .inputs import load_inputs

    canary = canary_command.prepare(args) if canary_command.wanted(args) else None
    inputs = load_inputs(args, doc=canary_command.document(canary))
    draft, version = inputs.draft, inputs.version
    as_json = getattr(args, "output", "text") == "json"
    stream = None if as_json else _print_result
    if not as_json:
        for note in inputs.notes:
            print(f"note: {note}")
        print(f"Checking {draft.driver} storage for registry {version}:")
    kwargs: dict[str, Any] = {
        "timeout": args.timeout,
        "ca_bundle": args.ca_bundle,
        "has_redis": inputs.doc.has_redis,
    }
    # Counting what the current backend holds runs beside the checks, not after them; through
    # the registry container's mounts, where its data really is
    container = canary.target if canary is not None else lambda: _registry_container(args)
    move = _start_inventory(inputs, args.timeout, args.ca_bundle, container)
    results = run_checks(draft, version, on_result=stream, **kwargs)
    created: list[str] = []
    if args.create and _missing(results):
        if not (args.yes or _confirm(f"Create the missing {_what(draft.driver)}?")):
            print("Nothing was created (pass --yes to create without asking).", file=sys.stderr)
        else:
            created.append(_create(draft, version, args.ca_bundle))
            if not as_json:
                print(created[-1] + "; checking again:")
            results = run_checks(draft, version, on_result=stream, **kwargs)
    report = None
    if canary is not None:
        report = canary_command.run(canary, inputs, quiet=as_json, timeout=args.timeout * 6)
    failed = any(r.status is Status.FAIL for r in results) or bool(report and not report["ok"])
    # the settings row is the validator: "ok" without one live answer proves only that
    verified = report is not None or any(
        r.status is not Status.SKIPPED for r in results if r.name != SETTINGS
    )
    moved = move()
    if as_json:
        doc = {
            "driver": draft.driver,
            "registry_version": str(version),
            "ok": not failed,
            "verified": verified,
            "created": created,
            "results": [r.to_dict() for r in results],
            "data_move": moved.to_dict() if moved is not None else None,
            "canary": report,
        }
        print(json.dumps(doc, indent=2))
    else:
        if moved is not None:
            print_data_move(moved)
        counts = {s: sum(r.status is s for r in results) for s in Status}
        counts[Status.WARN] += bool(moved is not None and moved.warning)
        print(
            f"{counts[Status.PASS]} passed, {counts[Status.WARN]} warnings, "
            f"{counts[Status.FAIL]} failed, {counts[Status.SKIPPED]} not checked"
        )
        if not verified and not failed:
            print(
                "Nothing was checked against the backend itself (every live check was not "
                "checked): this proves only that the registry accepts the settings."
            )
    return FAILED if failed else OK


def _registry_container(args: argparse.Namespace) -> Any:
    """The one running registry container, as plan finds it (None: none, or no engine)."""
    from .commands import _plan_target

    try:
        return _plan_target(args, quiet=True)[0]
    except DtrError:  # e.g. --container names none: the checks themselves go on
        return None


def _start_inventory(
    inputs: Inputs, timeout: float, ca_bundle: str | None, container: Any = None
) -> Callable[[], Vanishing | None]:
    """Count the config file's backend and the draft's, in a thread, when the draft moves the
    registry's data elsewhere; the returned function waits for the answer (None: no move).
    `container`: the registry container (its mounts say where the data is), or a function
    that finds it, called in the thread only when the data moves."""
    from ..services.checks.inventory import same_location, vanishing

    current = current_storage(inputs)
    try:
        if current is None or same_location(current, inputs.draft, inputs.version):
            return lambda: None
    except (TypeError, ValueError):  # a draft too broken to locate: the checks say why
        return lambda: None
    box: list[Vanishing | None] = []

    def count() -> None:
        found = container() if callable(container) else container
        box.append(
            vanishing(
                current,
                inputs.draft,
                inputs.version,
                timeout=timeout,
                ca_bundle=ca_bundle,
                container=found,
            )
        )

    worker = threading.Thread(target=count, name="inventory", daemon=True)
    worker.start()

    def wait() -> Vanishing | None:
        worker.join(timeout + 1.0)
        return box[0] if box else None

    return wait


def inventory_warning(
    args: argparse.Namespace, inputs: Inputs, *, quiet: bool = False, container: Any = None
) -> dict[str, Any] | None:
    """For plan/apply with --inventory: print the data-move line to stderr (unless `quiet`)
    and return it for JSON; None without the flag or when the data stays where it is."""
    seconds = getattr(args, "inventory", None)
    if seconds is None:
        return None
    moved = _start_inventory(inputs, seconds, None, container)()
    if moved is None:
        return None
    if not quiet:
        print(f"{'warning' if moved.warning else 'note'}: {moved.message}", file=sys.stderr)
    return moved.to_dict()


def current_storage(inputs: Inputs) -> StorageDraft | None:
    """The storage the config file holds now (None when there is no file or it is broken)."""
    if not inputs.doc.exists:
        return None
    try:
        return inputs.doc.draft(inputs.version)
    except DtrError:
        return None


def print_data_move(moved: Vanishing) -> None:
    """One line (two with a fix) saying what a backend switch hides from the registry."""
    mark = "warn" if moved.warning else "ok  "
    seconds = max(moved.current.seconds, moved.new.seconds)
    print(f"  {mark}  registry data ({seconds:.2f} s): {moved.message}")
    if moved.warning:
        print(
            "        fix: copy docker/registry/v2 from the current backend to the new one "
            "before switching (e.g. rclone copy), or keep the current backend"
        )
    sys.stdout.flush()


def _missing(results: list[CheckResult]) -> bool:
    return any(
        r.name in ("bucket exists", "container") and "does not exist" in r.detail
        for r in results
        if r.status in ("fail", "warn")
    )


def _what(driver: str) -> str:
    return "bucket" if driver in ("s3", "s3aws") else "container"


def _create(draft: Any, version: Any, ca_bundle: str | None) -> str:
    from ..services.checks.provision import create_bucket, create_container

    if draft.driver in ("s3", "s3aws"):
        return create_bucket(draft, version)
    return create_container(draft, version, ca_bundle=ca_bundle)


def policy(args: argparse.Namespace) -> int:
    import json

    from ..services.checks.provision import apply_policy, iam_policy
    from .inputs import load_inputs

    inputs = load_inputs(args)
    draft = inputs.draft
    if draft.driver not in ("s3", "s3aws"):
        raise DtrError(
            f"the config uses the {draft.driver} driver; an IAM policy is for s3",
            hint="pass --driver s3 --set s3.bucket=NAME",
        )
    document = iam_policy(str(draft.params.get("bucket") or ""))
    text = json.dumps(document, indent=2) + "\n"
    if args.write:
        Path(args.write).write_text(text)
        print(f"wrote the policy to {args.write}", file=sys.stderr)
    if not args.write or getattr(args, "output", "text") == "json":
        print(text, end="")
    if args.apply_to:
        question = f"Apply this policy to IAM user {args.apply_to}?"
        if not (args.yes or _confirm(question)):
            print("Not applied (pass --yes to apply without asking).", file=sys.stderr)
            return FAILED
        print(
            apply_policy(draft, inputs.version, args.apply_to, iam_endpoint=args.iam_endpoint),
            file=sys.stderr,
        )
    return OK
