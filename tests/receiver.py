"""A webhook receiver for tests: a real HTTP server on loopback, in a thread of the test process, that
answers each POST as the test scripted it and keeps what it was sent."""

from __future__ import annotations

import datetime
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Answer:
    status: int = 204
    delay: float = 0.0
    """Seconds to wait before answering (longer than the sender's timeout: a hung receiver)."""


@dataclass
class Receiver:
    url: str
    port: int = 0
    received: list[Received] = field(default_factory=list)
    script: list[Answer] = field(default_factory=list)
    """Answers to the next requests, in order; once used up, every request gets `otherwise`."""
    otherwise: Answer = field(default_factory=Answer)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def answer(self, *answers: Answer | int) -> None:
        self.script.extend(answer if isinstance(answer, Answer) else Answer(answer) for answer in answers)

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        """The first `count` requests, once they have arrived."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.received) >= count, timeout), (
                f"{len(self.received)} of {count} requests arrived within {timeout} s"
            )
            return self.received[:count]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver.arrived:
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                answer = receiver.script.pop(0) if receiver.script else receiver.otherwise
                receiver.arrived.notify_all()
            time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:  # the sender gave up waiting and closed the connection
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def running_receiver(host: str = "127.0.0.1", *, tls: Certificate | None = None) -> Iterator[Receiver]:
    """A receiver listening on a free port of `host` until the block ends; over TLS with `tls`."""
    receiver = Receiver(url="")
    server = ThreadingHTTPServer((host, 0), _handler(receiver))
    server.daemon_threads = True
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls.cert_file, tls.key_file)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    receiver.port = int(server.server_address[1])
    scheme = "https" if tls else "http"
    receiver.url = f"{scheme}://{host}:{receiver.port}/hooks/nexus"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for one host name, as PEM files, and a client context that trusts it."""

    cert_file: Path
    key_file: Path

    def trusted_by(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert_file))


def self_signed(host: str, directory: Path) -> Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / f"{host}.crt", directory / f"{host}.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return Certificate(cert_file, key_file)
