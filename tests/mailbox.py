"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for tests that mail."""

import email
import socket
import threading
import time
from email.message import Message

from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self):
        self.messages: list[Message] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Addresses at refused.example are refused for good, at busy.example for now."""
        domain = address.rpartition("@")[2]
        if domain == "refused.example":
            return "550 5.1.1 No such person here"
        if domain == "busy.example":
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        with self._lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()

    def to(self, address: str) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, timeout: float = 10.0) -> Message:
        """The newest message to `address`, waiting for it to arrive (from a worker in another
        thread or process)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(f"no mail to {address} within {timeout}s")


def body_of(message: Message) -> str:
    return message.get_payload(decode=True).decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_smtp_server() -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, mailbox
