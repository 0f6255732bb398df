"""The wait for a restarted registry asks it over HTTP; something on its port that does not
speak HTTP is 'not answering' (an OSError the wait handles), never an exception that escapes
the apply after the write (no rollback, no audit line)."""

from __future__ import annotations

import socket
import threading

import pytest

from dtr_tui.services.restart import _fetch


def test_a_port_that_does_not_speak_http_is_an_os_error() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)

    def answer() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:  # closed at the end of the test
                return
            conn.recv(1024)
            conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")  # e.g. a wrong port
            conn.close()

    threading.Thread(target=answer, daemon=True).start()
    port = server.getsockname()[1]
    with pytest.raises(OSError, match="did not answer as HTTP"):
        _fetch(f"http://127.0.0.1:{port}/v2/", 5)
    server.close()
