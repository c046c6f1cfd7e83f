"""Pausing the cyclic garbage collector while sourcelift works, and resuming it cheaply.

Importing the backend and each of its steps make thousands of objects: most are freed by their
reference counts, and the rest live as long as the build.  The collector would walk them again and
again, finding no cycle, so it pauses meanwhile.  Resuming the usual way leaves every survivor in the
youngest generation, and the first collection after it examines them all (0.4-0.6 ms of every
build, measured on the import and on a workspace's steps); :func:`resume` moves them to the oldest
generation unexamined instead (``gc.freeze`` and ``gc.unfreeze`` move the lists whole).  When the
process froze objects of its own (``gc.get_freeze_count()``), they stay frozen, and the collector
resumes as usual; so it does on CPython 3.12, whose interpreter freezes a few hundred objects at
start-up.
"""

from __future__ import annotations

import gc

__all__ = ["pause", "resume"]


def pause() -> bool:
    """Pause the collector; return whether it was running (what :func:`resume` takes)."""
    running = gc.isenabled()
    gc.disable()
    return running


def resume(running: bool) -> None:
    """Restart the collector :func:`pause` paused, if it was running; a collector the caller paused stays paused."""
    if not running:
        return
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
    gc.enable()
