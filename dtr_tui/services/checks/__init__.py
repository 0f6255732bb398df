"""Live checks of an unsaved storage draft against its backend (issue 5).

The one entry point is `run_checks`; it is free of any UI and safe to call from a worker
thread. Each backend's SDK is imported only when its checks run.
"""

from . import s3 as s3
from .model import Check, CheckContext, CheckFailed, CheckResult, Outcome, Status
from .runner import checks_for, run_checks

__all__ = [
    "Check",
    "CheckContext",
    "CheckFailed",
    "CheckResult",
    "Outcome",
    "Status",
    "checks_for",
    "run_checks",
]
