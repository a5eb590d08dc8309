"""Nightly consistency checks run as jobs: a failure emails staff and fails the job."""

from __future__ import annotations

import io
import logging

from django.core.management import call_command

from .services import staff_alert_send

logger = logging.getLogger(__name__)


class NightlyCheckFailed(Exception):
    """A nightly check found a problem (staff have been emailed)."""


def nightly_check_run(command: str) -> str:
    """Run the management command `command`; its last output line when it passes.

    When it fails (CommandError, or anything it raises) staff are emailed what it said
    and NightlyCheckFailed is raised, so the job is recorded as failed.
    """
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, stdout=out, stderr=err)
    except Exception as exc:
        summary = str(exc) or type(exc).__name__
        details = "\n".join(part for part in (err.getvalue(), out.getvalue()) if part)
        logger.error("nightly check failed", extra={"check": command, "summary": summary})
        staff_alert_send(check=command, summary=summary, details=details)
        raise NightlyCheckFailed(f"{command}: {summary}") from exc
    lines = out.getvalue().strip().splitlines()
    return lines[-1] if lines else "ok"
