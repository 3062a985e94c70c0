"""The storage contract against S3 (moto's server on loopback), and what only S3 does."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config

from nexus_core.config import Settings
from nexus_core.errors import NotFound, StorageError
from nexus_core.media.storage import ByteRange, get_storage
from nexus_core.media.storage.s3 import S3Storage
from tests.core.media.test_storage_local import PATH, PAYLOAD, StorageContract, drain, sha256_etag

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

pytest_plugins = ("tests.s3server",)
REGION = "us-east-1"


def keys(client: S3Client, bucket: str) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", []))


class TestS3Storage(StorageContract):
    @pytest.fixture
    def storage(self, s3_storage: S3Storage) -> S3Storage:
        return s3_storage

    def test_get_storage_builds_the_s3_backend_from_settings(self, s3_settings: Settings) -> None:
        storage = get_storage(s3_settings)
        assert isinstance(storage, S3Storage)
        assert (storage.name, storage.bucket, storage.prefix) == ("s3", s3_settings.s3_bucket, "media")
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        assert storage.read_bytes(PATH) == PAYLOAD

    def test_objects_are_stored_under_the_prefix(
        self, storage: S3Storage, s3_client: S3Client, s3_bucket: str
    ) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        assert keys(s3_client, s3_bucket) == [f"media/{PATH}"]

    def test_object_carries_content_type_and_sha256(
        self, storage: S3Storage, s3_client: S3Client, s3_bucket: str
    ) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        head = s3_client.head_object(Bucket=s3_bucket, Key=f"media/{PATH}")
        assert head["ContentType"] == "image/jpeg"
        assert f'"{head["Metadata"]["sha256"]}"' == sha256_etag(PAYLOAD)

    def test_delete_many_sends_a_thousand_keys_a_request(
        self, storage: S3Storage, s3_client: S3Client, s3_bucket: str
    ) -> None:
        stored = [f"p/{number}.jpg" for number in range(3)]
        for path in stored:
            storage.store(path, PAYLOAD, content_type="image/jpeg")
        requests: list[str] = []

        def count(request: AWSPreparedRequest, **_: object) -> None:
            requests.append(request.method)

        s3_client.meta.events.register("before-send.s3", count, unique_id="count-requests")
        try:
            missing = [f"p/missing-{number}.jpg" for number in range(2500)]
            assert storage.delete_many([*stored, *missing]) == {}
        finally:
            s3_client.meta.events.unregister("before-send.s3", unique_id="count-requests")
        assert requests == ["POST", "POST", "POST"]  # 2,503 keys
        assert keys(s3_client, s3_bucket) == []

    def test_delete_many_in_a_missing_bucket_names_every_path(self, s3_client: S3Client) -> None:
        storage = S3Storage("no-such-bucket", prefix="media", client=s3_client)
        failed = storage.delete_many(["p/a.jpg", "p/b.jpg"])
        assert sorted(failed) == ["p/a.jpg", "p/b.jpg"]
        assert "NoSuchBucket" in str(failed["p/a.jpg"])

    def test_prefixes_isolate_storages_in_one_bucket(self, s3_client: S3Client, s3_bucket: str) -> None:
        media = S3Storage(s3_bucket, prefix="media", client=s3_client)
        other = S3Storage(s3_bucket, prefix="media2", client=s3_client)
        media.store("p/a.jpg", b"a", content_type="image/jpeg")
        other.store("p/b.jpg", b"b", content_type="image/jpeg")
        assert (list(media.iter_paths()), list(other.iter_paths())) == (["p/a.jpg"], ["p/b.jpg"])
        assert not media.exists("p/b.jpg")
        with pytest.raises(NotFound):
            other.read_bytes("p/a.jpg")
        media.delete("p/b.jpg")
        assert keys(s3_client, s3_bucket) == ["media/p/a.jpg", "media2/p/b.jpg"]

    def test_empty_prefix_uses_bare_keys(self, s3_client: S3Client, s3_bucket: str) -> None:
        storage = S3Storage(s3_bucket, prefix="", client=s3_client)
        storage.store("p/a.jpg", b"a", content_type="image/jpeg")
        assert keys(s3_client, s3_bucket) == ["p/a.jpg"]

    def test_etag_falls_back_to_the_s3_etag_without_sha256(
        self, storage: S3Storage, s3_client: S3Client, s3_bucket: str
    ) -> None:
        response = s3_client.put_object(
            Bucket=s3_bucket, Key=f"media/{PATH}", Body=PAYLOAD, ContentType="image/jpeg"
        )
        stat = storage.stat(PATH)
        assert stat is not None and stat.etag == response["ETag"]

    def test_open_with_stat_asks_again_when_the_server_ignores_the_range(
        self, storage: S3Storage, s3_client: S3Client
    ) -> None:
        """Some S3-compatible servers answer a Range with the whole object: a HEAD and a ranged GET follow."""
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        sent: list[str] = []

        def ignore_the_first_range(request: AWSPreparedRequest, **_: object) -> None:
            if not sent:
                del request.headers["Range"]
            sent.append(request.method)

        s3_client.meta.events.register("before-send.s3", ignore_the_first_range, unique_id="ignore-range")
        try:
            opened = storage.open_with_stat(PATH, byte_range=ByteRange(0, 9))
        finally:
            s3_client.meta.events.unregister("before-send.s3", unique_id="ignore-range")
        assert opened is not None and (opened.start, opened.end) == (0, 10)
        assert drain(opened.stream) == PAYLOAD[:10]
        assert sent == ["GET", "HEAD", "GET"]

    def test_nowait_always_refuses(self, storage: S3Storage) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        with pytest.raises(BlockingIOError):
            storage.stat(PATH, nowait=True)
        with pytest.raises(BlockingIOError):
            storage.open(PATH, nowait=True)
        with pytest.raises(BlockingIOError):
            storage.open_with_stat(PATH, nowait=True)
        stream = storage.open(PATH)
        try:
            with pytest.raises(BlockingIOError):
                stream.read(10, nowait=True)
        finally:
            stream.close()

    def test_missing_bucket_is_a_storage_error(self, s3_client: S3Client) -> None:
        storage = S3Storage("no-such-bucket-here", client=s3_client)
        with pytest.raises(StorageError, match="NoSuchBucket"):
            storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        with pytest.raises(StorageError, match="NoSuchBucket"):
            storage.read_bytes(PATH)
        with pytest.raises(StorageError, match="NoSuchBucket"):
            list(storage.iter_paths())

    def test_unreachable_endpoint_is_a_readable_storage_error(self, s3_credentials: None) -> None:
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}"
        config = Config(retries={"max_attempts": 1}, connect_timeout=1, s3={"addressing_style": "path"})
        client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, config=config)
        storage = S3Storage("bucket", client=client)
        for call in (
            lambda: storage.stat(PATH),
            lambda: storage.store(PATH, b"x", content_type="image/jpeg"),
        ):
            with pytest.raises(StorageError, match="Could not connect to the endpoint URL"):
                call()
