"""The fee policy of one currency: a plain value, so the arithmetic can be tested alone."""

from __future__ import annotations

from dataclasses import dataclass

BPS_DENOMINATOR = 10_000
# A fee of 100% or more makes a gross-up impossible; the settings refuse far less than that.
MAX_FEE_PERCENT_BPS = 5_000


@dataclass(frozen=True)
class FeePolicy:
    """`percent_bps` of the amount (basis points) plus `flat`, at most `cap`.

    `flat` and `cap` are in the currency's minor unit; `cap=None` means no cap.
    """

    percent_bps: int
    flat: int
    cap: int | None = None

    def __post_init__(self) -> None:
        for name in ("percent_bps", "flat"):
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, not {value!r}")
        if self.percent_bps > MAX_FEE_PERCENT_BPS:
            raise ValueError(f"percent_bps must be at most {MAX_FEE_PERCENT_BPS}")
        if self.cap is not None and (type(self.cap) is not int or self.cap < 0):
            raise ValueError(f"cap must be a non-negative integer or None, not {self.cap!r}")

    def as_dict(self) -> dict[str, int | None]:
        return {"percent_bps": self.percent_bps, "flat": self.flat, "cap": self.cap}
