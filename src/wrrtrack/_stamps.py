"""What a file's status says of it, and when that is enough to know it unchanged.

As git's index does, a file whose size, modification time, change time, inode and device
are those it had when its bytes were hashed is taken to hold those bytes still, so that
the index (`_index`) need not read and hash 150 MB of files to answer `show`.

The change time (`st_ctime` on POSIX systems) is what makes that safe: every change to a
file's bytes or its status sets it to the present, and nothing sets it back, so an edit
that keeps the size and puts the modification time back (`touch -r`, `os.utime`, a tool
that restores it) still moves it; `sed -i`, an editor's save or `git checkout` give the
file a new inode or a new change time. Two rules keep the comparison honest:

- A stamp is believed only when the file's times lie more than `MARGIN` before the moment
  its bytes were hashed: a change in the same tick of a coarse clock (2 s on FAT) could
  otherwise leave an equal stamp. Such a file is hashed again, and stamped then.
- Windows has no change time (`st_ctime` is the time the file was created), so there no
  stamp is believed and every file is hashed, as before.
"""

from __future__ import annotations

import os
import time
from typing import NamedTuple

# Whether a stamp may stand for the bytes: only where `st_ctime` is the change time.
BELIEVED = os.name == "posix"
MARGIN = 2_000_000_000  # nanoseconds: the coarsest clock a file system keeps times in


class Stamp(NamedTuple):
    """A file's size, modification and change time (ns), inode and device."""

    size: int
    mtime: int
    ctime: int
    inode: int
    device: int


def of(info: os.stat_result) -> Stamp:
    """The stamp of a file's `os.stat` result."""
    return Stamp(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def now() -> int:
    """The present, in nanoseconds since the epoch (when a file's bytes were hashed)."""
    return time.time_ns()


def unchanged(recorded: Stamp, hashed: int, current: Stamp) -> bool:
    """Whether a file stamped `current` still holds the bytes it held when it was stamped
    `recorded` and hashed at `hashed` (see the module's rules)."""
    return (
        BELIEVED and recorded == current and max(recorded.mtime, recorded.ctime) < hashed - MARGIN
    )
