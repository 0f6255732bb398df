"""`dtr-tui`: the app with no subcommand, headless commands for install scripts otherwise."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO, cast

from .. import __version__
from ..core.errors import DtrError
from . import check_command
from .flags import (
    add_inventory_flag,
    add_no_container_flag,
    add_target_flags,
    all_exit_codes,
    common_parent,
    exit_epilog,
    inputs_parent,
    output_parent,
    seconds,
)

EXIT_ERROR = 2


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's lines (exit codes, example) as written."""


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    """The handler `commands.<name>`, imported when that command runs: opening the screen
    never loads the headless commands (nor the models and services they import)."""

    def run(args: argparse.Namespace) -> int:
        handler = getattr(importlib.import_module(".commands", __package__), name)
        return int(handler(args))

    return run


def build_parser() -> argparse.ArgumentParser:
    common, inputs, output = common_parent(), inputs_parent(), output_parent()
    parser = argparse.ArgumentParser(
        prog="dtr-tui",
        parents=[common],
        description="Change where a self-hosted Docker registry stores its images, safely. "
        "With no command, opens the Settings › Storage screen.",
        epilog=all_exit_codes(),
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"dtr-tui {__version__}")
    parser.add_argument(
        "--read-only", action="store_true", help="browse and check only, never write"
    )
    parser.add_argument(
        "--container",
        metavar="NAME",
        help="which registry container to open when several run",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "validate",
        parents=[common, output],
        help="check a config; exit 0 valid, 1 invalid, 2 unusable",
        epilog=exit_epilog("validate"),
        formatter_class=_Formatter,
    )
    p.add_argument("file", nargs="?", help="file to check (default: the --config file)")
    p.set_defaults(func=_command("validate"))

    p = sub.add_parser(
        "plan",
        parents=[common, inputs, output],
        help="show the masked diff; exit 0 no change, 1 change, 2 error",
        epilog=exit_epilog("plan"),
        formatter_class=_Formatter,
    )
    add_target_flags(
        p,
        container_help="check the plan against this registry container's REGISTRY_* "
        "environment (default: the one running registry container, when an engine answers)",
        service_help="plan against this Swarm service's config (file or config object) and "
        "environment",
    )
    add_no_container_flag(p, "plan against the file alone")
    add_inventory_flag(p)
    p.set_defaults(func=_command("plan"))

    p = sub.add_parser(
        "apply",
        parents=[common, inputs],
        help="write the change safely (backup, atomic, stale guard)",
        epilog=exit_epilog("apply"),
        formatter_class=_Formatter,
    )
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add_target_flags(
        p,
        container_help="the registry container (default: the one running registry container)",
        service_help="a Swarm service instead: a rolling update (failure action: rollback), the "
        "config delivered as the service gets it (bind-mounted file, or a new Docker config "
        "object)",
    )
    p.add_argument(
        "--restart",
        action="store_true",
        help="restart the registry container, wait until it serves, roll back if it does not",
    )
    p.add_argument(
        "--timeout",
        type=seconds,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for the registry to serve after a restart (default 60; "
        "above 0, finite)",
    )
    p.add_argument(
        "--accept-unverified",
        action="store_true",
        help="with --restart, exit 0 when the registry serves but its storage cannot be "
        "proven (auth on and no health.storagedriver check); it is still said",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="write even when the container's REGISTRY_* environment overrides the change",
    )
    add_no_container_flag(p, "write the file alone (not with --restart, --container or --service)")
    p.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 1 when the file was written, 0 when there was nothing to change, 2 on an "
        "error (as terraform's --detailed-exitcode), so a script knows whether to restart",
    )
    add_inventory_flag(p)
    p.set_defaults(func=_command("apply"))

    p = sub.add_parser(
        "history",
        parents=[common],
        help="show the audit log of past applies",
        epilog=exit_epilog("history"),
        formatter_class=_Formatter,
    )
    p.add_argument("--service", metavar="NAME", help="the log of a Swarm service's applies")
    p.set_defaults(func=_command("history"))

    p = sub.add_parser(
        "export",
        parents=[common],
        help="print the storage section as YAML, secrets redacted",
        epilog=exit_epilog("export"),
        formatter_class=_Formatter,
    )
    p.add_argument(
        "--include-secrets",
        action="store_true",
        help="write secrets in the clear (the output file is made 0600)",
    )
    p.add_argument(
        "-o",
        "--output-file",
        metavar="FILE",
        help="write to FILE, not stdout; an existing FILE is refused unless --force "
        "(the config file itself always is)",
    )
    p.add_argument(
        "--force", action="store_true", help="replace FILE when it exists (never the config)"
    )
    p.set_defaults(func=_command("export"))

    p = sub.add_parser(
        "backups",
        parents=[common],
        help="list the backups kept beside the config",
        epilog=exit_epilog("backups"),
        formatter_class=_Formatter,
    )
    p.set_defaults(func=_command("backups"))

    p = sub.add_parser(
        "rollback",
        parents=[common],
        help="restore a backup (default: the newest)",
        epilog=exit_epilog("rollback"),
        formatter_class=_Formatter,
    )
    p.add_argument("backup", nargs="?", help="backup file or its number in `dtr-tui backups`")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=_command("rollback"))

    check_command.register(sub, common, inputs, output, formatter=_Formatter)
    return parser


class OutputError(Exception):
    """Standard output could not be written (a full disk, a closed pipe)."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(cause.strerror or type(cause).__name__)
        self.reason = cause.strerror or type(cause).__name__


class _GuardedOutput:
    """sys.stdout, whose write errors are told apart from every other OSError."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise OutputError(exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise OutputError(exc) from None

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # the screen owns the terminal: no guard around its output
        return _run_command(args, lambda: _run_app(args))
    real_stdout = sys.stdout
    sys.stdout = cast(TextIO, _GuardedOutput(real_stdout))
    try:
        return _run_command(args, lambda: int(args.func(args)))
    finally:
        sys.stdout = real_stdout


def _run_command(args: argparse.Namespace, command: Callable[[], int]) -> int:
    try:
        code = command()
        sys.stdout.flush()  # a full or closed output fails here, not at exit
        return code
    except DtrError as exc:
        return _fail(args, str(exc), exc)
    except KeyboardInterrupt:
        print("dtr-tui: interrupted; nothing more was written", file=sys.stderr)
        return 130
    except OutputError as exc:
        _silence_stdout()
        print(
            f"dtr-tui: error: the output could not be written (standard output: {exc.reason})",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except Exception as exc:  # a bug: say so plainly, never a traceback with values in it
        return _internal_error(args, exc)


def _internal_error(args: argparse.Namespace, exc: BaseException) -> int:
    if os.environ.get("DTR_TUI_DEBUG"):
        raise exc
    return _fail(
        args,
        f"internal error ({type(exc).__name__}); the config file was not changed "
        "by this error. Set DTR_TUI_DEBUG=1 to see the traceback.",
        None,
        prefix="dtr-tui: ",
    )


def _fail(
    args: argparse.Namespace, text: str, exc: DtrError | None, prefix: str = "dtr-tui: error: "
) -> int:
    """The error as text on stderr and, under --output json, as a JSON object on stdout too,
    so `| jq` reads it."""
    from .render import dump_json, safe_text

    print(prefix + safe_text(text), file=sys.stderr)
    if getattr(args, "output", None) == "json":
        error: dict[str, object] = {"message": exc.message if exc is not None else text}
        if exc is not None:
            error |= {
                "file": exc.source,
                "line": exc.line,
                "field": exc.field,
                "hint": exc.hint or None,
            }
        try:
            dump_json({"error": error, "exit_code": EXIT_ERROR})
            sys.stdout.flush()
        except OutputError:
            _silence_stdout()
    return EXIT_ERROR


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush does not fail too."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _run_app(args: argparse.Namespace) -> int:
    # No garbage collection while the screen is built: the start allocates much and frees
    # little, and each full pass over the freshly imported modules delays the first frame
    # (~35 ms of CPU in all). The app turns it back on once that frame is drawn.
    gc.disable()
    try:
        from ..ui.app import run_app  # Textual loads only when the screen is wanted
        from .locate import config_path, registry_version

        given = bool(getattr(args, "config", None))  # else the registry container's file is used
        return run_app(  # reads the file first: an unusable one is refused before the screen
            config_path(args),
            registry_version(args),
            bool(args.read_only),
            config_given=given,
            container=args.container,
        )
    finally:
        gc.enable()


if __name__ == "__main__":
    sys.exit(main())
