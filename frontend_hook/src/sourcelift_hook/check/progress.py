"""Progress of the slow steps on stderr: a line when a step starts and one when it ends, with the seconds it took.

On a terminal the running step also gets a spinner with the elapsed time,
redrawn in place; anywhere else (CI logs, pipes) only whole lines are written.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["Progress"]

_FRAMES = "|/-\\"


class Progress:
    def __init__(self, stream: TextIO | None, *, tty: bool | None = None, prefix: str = "sourcelift check") -> None:
        self.stream = stream
        self.tty = bool(tty if tty is not None else (stream is not None and _isatty(stream)))
        self.prefix = prefix

    def line(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(f"{self.prefix}: {text}\n")
            self.stream.flush()

    @contextmanager
    def step(self, text: str) -> Iterator[None]:
        """Announce ``text``, run the block, then say how long it took (or that it failed)."""
        start = time.monotonic()
        stop = threading.Event()
        spinner: threading.Thread | None = None
        if self.stream is not None and self.tty:
            spinner = threading.Thread(target=self._spin, args=(text, start, stop), daemon=True)
            spinner.start()
        else:
            self.line(f"{text} ...")
        ok = False
        try:
            yield
            ok = True
        finally:
            stop.set()
            if spinner is not None:
                spinner.join()
                assert self.stream is not None
                self.stream.write("\r\033[K")
            elapsed = time.monotonic() - start
            self.line(f"{text}: {'done' if ok else 'failed'} in {elapsed:.1f} s")

    def _spin(self, text: str, start: float, stop: threading.Event) -> None:
        assert self.stream is not None
        frame = 0
        while not stop.wait(0.1 if frame else 0):
            self.stream.write(
                f"\r{_FRAMES[frame % len(_FRAMES)]} {self.prefix}: {text} {time.monotonic() - start:.1f} s"
            )
            self.stream.flush()
            frame += 1


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
