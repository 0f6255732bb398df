"""The flags several commands share, declared once as argparse parent parsers.

Cheap to import: `dtr-tui` builds its whole parser before it knows which command runs.
"""

from __future__ import annotations

import argparse
import math
import textwrap


def common_parent() -> argparse.ArgumentParser:
    """--config and --registry-version: every command and the app take them."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="registry config file (default: /etc/docker/registry/config.yml when it exists, "
        "else ./config.yml, created on first save)",
    )
    common.add_argument(
        "--registry-version",
        metavar="VERSION",
        default=argparse.SUPPRESS,
        help="target registry: 2.8 (default) or 3.0 / 3.1 (3 means 3.0)",
    )
    return common


class _Once(argparse.Action):
    """A flag that takes one value: given twice with different values is a usage error, not
    a silent last-wins."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        before = getattr(namespace, self.dest, None)
        if before is not None and before != values:
            raise argparse.ArgumentError(self, f"given twice ({before} and {values}): give it once")
        setattr(namespace, self.dest, values)


def inputs_parent() -> argparse.ArgumentParser:
    """--from, --driver, --set, --unset: what turns the file into the draft."""
    inputs = argparse.ArgumentParser(add_help=False)
    inputs.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="take the storage from FILE (a whole config or a storage section; .yml, .yaml "
        "or .txt), or from standard input with - (also /dev/stdin and <(…))",
    )
    inputs.add_argument(
        "--driver",
        action=_Once,
        metavar="NAME",
        help="switch backend (filesystem, s3, swift, azure, gcs, inmemory)",
    )
    inputs.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="set a parameter, e.g. s3.bucket=x; VALUE may be @FILE or env:VAR "
        "so a secret stays out of shell history (repeatable)",
    )
    inputs.add_argument(
        "--unset",
        action="append",
        metavar="KEY",
        help="remove a parameter, e.g. s3.keyid (repeatable)",
    )
    return inputs


def output_parent() -> argparse.ArgumentParser:
    """--output text|json."""
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument(
        "--output",
        choices=("text", "json"),
        default="text",
        help="text for people, json for scripts",
    )
    return output


def add_inventory_flag(parser: argparse.ArgumentParser) -> None:
    """`--inventory [SECONDS]` for plan and apply: off by default, since it reads backends."""
    parser.add_argument(
        "--inventory",
        nargs="?",
        type=float,
        const=5.0,
        default=None,
        metavar="SECONDS",
        help="when the change moves the registry's data (another backend, bucket, container "
        "or root), count the repositories and blobs on both backends and warn about what the "
        "registry would stop seeing; reads both over the network, at most SECONDS (default 5)",
    )


def add_target_flags(
    parser: argparse.ArgumentParser, *, container_help: str, service_help: str
) -> None:
    """--container NAME and --service NAME, worded for what the command does with them.
    --container is also a global flag (`dtr-tui --container NAME apply`): not given after the
    command, it must not overwrite the one given before it (argparse's default would)."""
    parser.add_argument(
        "--container", metavar="NAME", help=container_help, default=argparse.SUPPRESS
    )
    parser.add_argument("--service", metavar="NAME", help=service_help)


def add_no_container_flag(parser: argparse.ArgumentParser, what: str) -> None:
    """--no-container for plan and apply: the same meaning, the Docker engine is not asked."""
    parser.add_argument(
        "--no-container",
        action="store_true",
        help=f"do not ask the Docker engine: {what}",
    )


# What each command's exit code means, and one example: shown under its --help (and all of
# them under `dtr-tui --help`). Any command also exits 2 for a usage error (an unknown flag)
# or an unusable input (missing or broken file, a bad --set), with the reason on stderr and,
# under --output json, as {"error": {...}} on stdout.
EXIT_CODES: dict[str, tuple[str, str]] = {
    "validate": (
        "0 valid, 1 invalid (the problems are listed), 2 the file cannot be read",
        "dtr-tui validate /etc/docker/registry/config.yml --output json",
    ),
    "plan": (
        "0 no change, 1 a change (shown), 2 an error: input, invalid result, or a change "
        "apply would refuse",
        "dtr-tui plan --set s3.bucket=images --set s3.region=us-east-1 --no-container",
    ),
    "apply": (
        "0 written, or nothing to change; 2 not written (refused, not confirmed, an error) "
        "or rolled back, or with --restart the registry serves but its storage is NOT "
        "verified (0 with --accept-unverified); 128+N interrupted by signal N (130: Ctrl-C) "
        "after the write, rolled back. With --detailed-exitcode: 0 nothing to change, 1 "
        "written (restart the registry), 2 as before",
        "dtr-tui apply --set filesystem.rootdirectory=/srv/registry --yes --detailed-exitcode",
    ),
    "check": (
        "0 every check passed (or warned), 1 a check failed, 2 an error",
        "dtr-tui check --driver s3 --set s3.bucket=images --set s3.region=us-east-1",
    ),
    "policy": (
        "0 printed (and written or applied), 1 not applied (not confirmed), 2 an error",
        "dtr-tui policy --write policy.json",
    ),
    "history": ("0 shown (also when nothing is recorded), 2 an error", "dtr-tui history"),
    "export": (
        "0 exported, 2 an error (an existing -o FILE without --force, the config itself)",
        "dtr-tui export -o storage.yml",
    ),
    "backups": (
        "0 listed (also when there are none), 2 the config does not exist",
        "dtr-tui backups",
    ),
    "rollback": (
        "0 restored, or the backup equals the file; 2 not restored (no backups, not "
        "confirmed, the file changed meanwhile)",
        "dtr-tui rollback 1 --yes",
    ),
}


def seconds(text: str) -> float:
    """A --timeout: a number of seconds above 0 and finite (0, a negative, nan and inf are
    refused as a usage error)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not allowed: give a number of seconds above 0 and finite"
        )
    return value


def exit_epilog(command: str) -> str:
    """The `exit codes:` and `example:` lines under a command's --help."""
    codes, example = EXIT_CODES[command]
    text = textwrap.fill(f"exit codes: {codes}.", width=78, subsequent_indent="  ")
    return f"{text}\n\nexample:\n  {example}"


def all_exit_codes() -> str:
    """Every command's exit codes, for `dtr-tui --help`."""
    lines = ["exit codes (2 is also a usage error or an unusable input, for every command):"]
    lines += [
        textwrap.fill(codes, width=78, initial_indent=f"  {name:<9} ", subsequent_indent=" " * 12)
        for name, (codes, _) in EXIT_CODES.items()
    ]
    return "\n".join(lines)
