"""A progress bar for management commands, drawn only on a terminal.

`Progress(total, stream)` draws `[#####-----]  50%  5,000/10,000 label` on `stream`
(normally stderr) when it is a TTY, redrawing at most every 1% and at the end; on
anything else (a pipe, a file, a CI log) it writes nothing, so output stays plain.
"""

from __future__ import annotations

from typing import TextIO

WIDTH = 30


class Progress:
    def __init__(self, total: int, stream: TextIO, *, label: str = "") -> None:
        self.total = max(total, 0)
        self.stream = stream
        self.label = label
        self.done = 0
        self._drawn = -1
        isatty = getattr(stream, "isatty", None)
        self.enabled = bool(isatty and isatty())

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.enabled:
            self._draw()

    def _draw(self, *, final: bool = False) -> None:
        percent = 100 if not self.total else min(100, self.done * 100 // self.total)
        if percent == self._drawn and not final:
            return
        self._drawn = percent
        filled = WIDTH * percent // 100
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(
            f"\r[{bar}] {percent:3d}%  {self.done:,}/{self.total:,} {self.label}".rstrip()
        )
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self._draw(final=True)
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()
