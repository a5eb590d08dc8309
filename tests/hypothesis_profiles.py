"""Hypothesis profiles, chosen with HYPOTHESIS_PROFILE (default "krogiving").

- krogiving: the everyday run (`make test`): no per-example deadline (a busy CI machine
  must not turn a slow example into a failure); the stateful tests run a small budget.
- thorough: `make test-thorough`: the stateful tests run at least THOROUGH_SEQUENCES
  random sequences, property tests THOROUGH_SEQUENCES examples each.

The stateful tests pass their budget explicitly (`stateful_settings`), which would
override a profile's max_examples; `stateful_settings` reads the profile instead.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

DEFAULT_PROFILE = "krogiving"
THOROUGH_PROFILE = "thorough"
THOROUGH_SEQUENCES = 1_000

settings.register_profile(DEFAULT_PROFILE, deadline=None, print_blob=True)
settings.register_profile(
    THOROUGH_PROFILE,
    parent=settings.get_profile(DEFAULT_PROFILE),
    max_examples=THOROUGH_SEQUENCES,
)


def profile_name() -> str:
    return os.environ.get("HYPOTHESIS_PROFILE", "").strip() or DEFAULT_PROFILE


def load_profile() -> None:
    settings.load_profile(profile_name())


def stateful_settings(*, sequences: int, steps: int) -> settings:
    """`sequences` random sequences of up to `steps` steps; THOROUGH_SEQUENCES (or more)
    under the thorough profile."""
    if profile_name() == THOROUGH_PROFILE:
        sequences = max(sequences, THOROUGH_SEQUENCES)
    return settings(
        max_examples=sequences,
        stateful_step_count=steps,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
