"""The production-like settings of the serving probe, plus the bare views' URLconf."""

from krogiving.settings import *  # noqa: F403

ROOT_URLCONF = "bench.probes.urls"
