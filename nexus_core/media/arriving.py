"""The bytes of a file that is still arriving, for a reader in another thread that reads them as they come.

An upload's first file is copied here while the request body arrives, so that decoding it (the longest
step before an upload is ready) runs alongside the transfer instead of after it (media/head_start.py).
A read waits for the bytes it asks for; it gets none (end of file) once the file has ended or is given up.

libvips reads them through a pipe (`pipe`), fed by a thread of its own in large writes: a decoder reading
through Python callbacks would need the interpreter's lock for every 4 KB, and in a busy web process waits
for it each time (a 24 MP JPEG took 21 s instead of 0.2 s beside one busy thread).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading

STALL = 30.0
"""Seconds a reader waits for more bytes before it gives up on a file that stopped arriving."""
WRITE = 1 << 20
"""Bytes written to a pipe at a time, and the pipe's capacity where the system allows it."""


class ArrivingBytes:
    def __init__(self) -> None:
        self._received = bytearray()
        self._ended = False
        self._given_up = False
        self._changed = threading.Condition()

    def __len__(self) -> int:
        with self._changed:
            return len(self._received)

    def append(self, chunk: bytes) -> None:
        with self._changed:
            if self._ended or self._given_up:
                return
            self._received += chunk
            self._changed.notify_all()

    def end(self) -> None:
        """The whole file has arrived."""
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def give_up(self) -> None:
        """Drop what arrived; readers get no more (they see the file end, and fail on its truncation)."""
        with self._changed:
            self._give_up()

    def _give_up(self) -> None:
        self._given_up = True
        self._received = bytearray()
        self._changed.notify_all()

    def read_at(self, position: int, size: int) -> bytes:
        """Up to `size` bytes from `position`, once any have arrived there; b"" at the end, when given up, or
        when nothing more came for STALL seconds (a stalled upload then gives up, freeing its reader)."""
        with self._changed:
            while len(self._received) <= position and not (self._ended or self._given_up):
                if not self._changed.wait(STALL):
                    self._give_up()
            return bytes(self._received[position : position + size])

    def head(self, size: int) -> bytes:
        """The first `size` bytes arrived so far (fewer while they are still arriving)."""
        with self._changed:
            return bytes(self._received[:size])

    def matches(self, data: bytes) -> bool:
        """Whether the whole file has arrived and is exactly `data`."""
        with self._changed:
            return self._ended and not self._given_up and self._received == data

    def pipe(self) -> int:
        """The read end of a pipe that gets these bytes from the start as they arrive, then closes (the
        caller closes the descriptor). The feeding thread ends when the reader closes its end."""
        read_end, write_end = os.pipe()
        with contextlib.suppress(AttributeError, OSError):  # Linux only; the default capacity otherwise
            fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, WRITE)
        threading.Thread(target=self._feed, args=(write_end,), name="arriving-pipe", daemon=True).start()
        return read_end

    def _feed(self, write_end: int) -> None:
        position = 0
        try:
            while chunk := self.read_at(position, WRITE):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(write_end, view) :]
                position += len(chunk)
        except BrokenPipeError:
            pass  # the reader has all it wanted
        finally:
            os.close(write_end)
