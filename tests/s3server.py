"""moto's S3 server on loopback: tests talk the real S3 protocol over HTTP, boto3 untouched.

Use from a test module with `pytest_plugins = ("tests.s3server",)`. `start_server` is also used by
tests/conftest.py, before nexus_core is imported, when NEXUS_TEST_S3=1 makes S3 the configured storage.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from moto.server import ThreadedMotoServer

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from nexus_core.config import Settings
    from nexus_core.media.storage.s3 import S3Storage

REGION = "us-east-1"


def start_server() -> tuple[ThreadedMotoServer, str]:
    """A moto S3 server started on 127.0.0.1 and a free port, and its URL. Imports no nexus_core."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The URL of a moto S3 server on 127.0.0.1 and a free port, for the whole test session."""
    server, endpoint = start_server()
    yield endpoint
    server.stop()


@pytest.fixture(scope="session")
def s3_credentials() -> Iterator[None]:
    """Dummy credentials in the environment, where boto3 looks first; no real AWS files are read."""
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("AWS_ACCESS_KEY_ID", "testing")
        environment.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        environment.delenv("AWS_SESSION_TOKEN", raising=False)
        environment.delenv("AWS_PROFILE", raising=False)
        environment.setenv("AWS_CONFIG_FILE", "/dev/null")
        environment.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        yield


@pytest.fixture(scope="session")
def s3_client(s3_endpoint: str, s3_credentials: None) -> S3Client:
    """One client for the test server, configured as the app configures its own."""
    from nexus_core.media.storage.s3 import create_client

    return create_client(region=REGION, endpoint_url=s3_endpoint)


@pytest.fixture
def s3_bucket(s3_client: S3Client) -> str:
    """A new, empty bucket for one test."""
    name = f"nexus-test-{uuid.uuid4().hex[:16]}"
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_settings(s3_endpoint: str, s3_bucket: str) -> Settings:
    """Settings for the S3 backend on the test server, with the default `media` prefix."""
    from nexus_core.config import Settings

    return Settings(storage_backend="s3", s3_bucket=s3_bucket, s3_endpoint_url=s3_endpoint, s3_region=REGION)


@pytest.fixture
def s3_storage(s3_client: S3Client, s3_bucket: str) -> S3Storage:
    """The S3 backend on a new bucket, sharing the session's client (building one takes ~0.1 s)."""
    from nexus_core.media.storage.s3 import S3Storage

    return S3Storage(s3_bucket, client=s3_client)
