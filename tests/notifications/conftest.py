"""Real SMTP servers for the notification tests (aiosmtpd on a free port): one that takes every
message, one that refuses them, and an address where nothing answers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MailServer:
    """What the test's SMTP server received (or refused)."""

    port: int
    refuse: bool = False
    received: list[Message] = field(default_factory=list)
    refused: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            self.refused += 1
            return "554 5.7.1 Message rejected by the test server"
        msg = message_from_bytes(envelope.content)
        msg["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.received.append(msg)
        return "250 OK"

    def bodies(self) -> list[str]:
        out = []
        for m in self.received:
            payload = m.get_payload(decode=True)
            out.append(payload.decode("utf-8") if isinstance(payload, bytes) else str(m.get_payload()))
        return out


def _serve(refuse: bool) -> Iterator[MailServer]:
    server = MailServer(port=free_port(), refuse=refuse)
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[MailServer]:
    """An SMTP server that takes every message."""
    yield from _serve(refuse=False)


@pytest.fixture
def refusing_smtp_server() -> Iterator[MailServer]:
    """An SMTP server that answers 554 to every message."""
    yield from _serve(refuse=True)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word (a mail server that hangs)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(2)
        for c in held:
            c.close()
        listener.close()
