"""Objects in an S3-compatible bucket (AWS, MinIO, R2, moto) under one key prefix."""

from __future__ import annotations

import errno
import hashlib
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NoReturn

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.response import StreamingBody

from nexus_core.errors import NotFound, StorageError
from nexus_core.media.storage.base import (
    BaseStorage,
    ByteRange,
    FileStat,
    OpenFile,
    RangeNotSatisfiable,
    quote_etag,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import GetObjectOutputTypeDef, HeadObjectOutputTypeDef

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
DELETE_BATCH = 1000  # the most keys one DeleteObjects request takes
_SHA256_METADATA = "sha256"


class S3ObjectStream:
    """The body of a GetObject response, with transport errors turned into StorageError."""

    def __init__(self, body: StreamingBody, key: str) -> None:
        self._body = body
        self._key = key

    def read(self, size: int = -1, /, *, nowait: bool = False) -> bytes | bytearray:
        if nowait:
            raise _would_wait()
        try:
            return self._body.read(None if size < 0 else size)
        except (BotoCoreError, OSError) as error:
            raise StorageError(f"reading S3 object {self._key!r} failed: {error}") from error

    def close(self) -> None:
        self._body.close()


class EmptyStream:
    def read(self, size: int = -1, /, *, nowait: bool = False) -> bytes | bytearray:
        return b""

    def close(self) -> None:
        pass


class S3Storage(BaseStorage):
    """Keys `<prefix>/<path>` in one bucket; the content's sha256 travels in the object metadata."""

    name = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "media",
        region: str | None = None,
        endpoint_url: str | None = None,
        client: S3Client | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._client = client or create_client(region=region, endpoint_url=endpoint_url)

    def key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path

    def _store(self, path: str, data: bytes, content_type: str) -> None:
        key = self.key(path)
        try:
            self._client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                Metadata={_SHA256_METADATA: hashlib.sha256(data).hexdigest()},
            )
        except (BotoCoreError, ClientError) as error:
            self._fail("PutObject", key, error)

    def _read_bytes(self, path: str) -> bytes:
        stream = self._open(path, 0, None, False)
        try:
            return bytes(stream.read())
        finally:
            stream.close()

    def _open(self, path: str, start: int, end: int | None, nowait: bool) -> S3ObjectStream | EmptyStream:
        if nowait:
            raise _would_wait()
        if end is not None and end <= start:
            return EmptyStream()
        key = self.key(path)
        options: dict[str, str] = {}
        if start or end is not None:
            options["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=key, **options)  # type: ignore[arg-type]
        except (BotoCoreError, ClientError) as error:
            if _is_missing(error):
                raise NotFound(f"no stored file at {path!r}") from None
            self._fail("GetObject", key, error)
        return S3ObjectStream(response["Body"], key)

    def _stat(self, path: str, nowait: bool) -> FileStat | None:
        if nowait:
            raise _would_wait()
        key = self.key(path)
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as error:
            if _is_missing(error):
                return None
            self._fail("HeadObject", key, error)
        return _file_stat(head, head["ContentLength"])

    def _open_with_stat(self, path: str, byte_range: ByteRange | None, nowait: bool) -> OpenFile | None:
        """One GetObject: its headers are the stat, its body the bytes.

        The range goes to S3 as asked; when the answer is not exactly that range (416, or a server that
        ignored the header), the generic HEAD, then ranged GET, decides instead.
        """
        if nowait:
            raise _would_wait()
        key = self.key(path)
        options = {"Range": byte_range.header()} if byte_range else {}
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=key, **options)  # type: ignore[arg-type]
        except (BotoCoreError, ClientError) as error:
            if _is_missing(error):
                return None
            if _error_code(error) == "InvalidRange":
                return super()._open_with_stat(path, byte_range, nowait)
            self._fail("GetObject", key, error)
        stream = S3ObjectStream(response["Body"], key)
        start, end, size = _served_range(response)
        try:
            wanted = byte_range.resolve(size) if byte_range else (0, size)
        except RangeNotSatisfiable:
            stream.close()
            raise
        if wanted == (start, end):
            return OpenFile(_file_stat(response, size), start, end, stream)
        stream.close()
        return super()._open_with_stat(path, byte_range, nowait)

    def _delete(self, path: str) -> None:
        key = self.key(path)
        try:
            self._client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as error:
            if not _is_missing(error):
                self._fail("DeleteObject", key, error)

    def _delete_many(self, paths: Sequence[str]) -> dict[str, StorageError]:
        """DeleteObjects, a thousand keys a request (S3's limit); a missing key counts as deleted."""
        failed: dict[str, StorageError] = {}
        by_key = {self.key(path): path for path in paths}
        keys = list(by_key)
        for start in range(0, len(keys), DELETE_BATCH):
            batch = keys[start : start + DELETE_BATCH]
            try:
                answer = self._client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True}
                )
            except (BotoCoreError, ClientError) as error:
                failed |= {by_key[key]: self._error("DeleteObjects", key, error) for key in batch}
                continue
            for refused in answer.get("Errors", []):
                if refused.get("Code") not in _MISSING_CODES and (key := refused.get("Key", "")) in by_key:
                    failed[by_key[key]] = self._refusal(
                        "DeleteObjects", key, refused.get("Code"), refused.get("Message")
                    )
        return failed

    def _exists(self, path: str) -> bool:
        return self._stat(path, False) is not None

    def _iter_paths(self) -> Iterator[str]:
        start = len(self.key(""))
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.key("")
        )
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"][start:]
        except (BotoCoreError, ClientError) as error:
            self._fail("ListObjectsV2", self.key(""), error)

    def _fail(self, operation: str, key: str, error: BotoCoreError | ClientError) -> NoReturn:
        raise self._error(operation, key, error) from error

    def _error(self, operation: str, key: str, error: BotoCoreError | ClientError) -> StorageError:
        if isinstance(error, ClientError):
            details = error.response.get("Error", {})
            return self._refusal(operation, key, details.get("Code"), details.get("Message"))
        return StorageError(f"S3 {operation} of {key!r} in bucket {self.bucket!r} failed: {error}")

    def _refusal(self, operation: str, key: str, code: str | None, message: str | None) -> StorageError:
        return StorageError(
            f"S3 {operation} of {key!r} in bucket {self.bucket!r} failed: "
            f"{code or 'error'}: {message or 'no message'}"
        )


def create_client(*, region: str | None = None, endpoint_url: str | None = None) -> S3Client:
    """A boto3 S3 client: credentials from the usual AWS_* sources, path-style keys for custom endpoints."""
    return boto3.session.Session().client(
        "s3", region_name=region, endpoint_url=endpoint_url, config=_client_config(endpoint_url)
    )


def _client_config(endpoint_url: str | None) -> Config:
    return Config(
        connect_timeout=5,
        read_timeout=30,
        retries={"max_attempts": 4, "mode": "standard"},
        max_pool_connections=64,
        s3={"addressing_style": "path"} if endpoint_url else {},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


def _file_stat(response: HeadObjectOutputTypeDef | GetObjectOutputTypeDef, size: int) -> FileStat:
    """The stat from the headers of a HeadObject or GetObject answer; the ETag is the content's sha256."""
    digest = response.get("Metadata", {}).get(_SHA256_METADATA, "")
    etag = quote_etag(digest) if _SHA256_HEX.fullmatch(digest) else response["ETag"]
    content_type = response.get("ContentType", "application/octet-stream")
    return FileStat(size, etag, content_type, response.get("LastModified"))


def _served_range(response: GetObjectOutputTypeDef) -> tuple[int, int, int]:
    """(start, end exclusive, object size) of the bytes a GetObject answer carries."""
    match = _CONTENT_RANGE.fullmatch(response.get("ContentRange", ""))
    if match is None:
        return 0, response["ContentLength"], response["ContentLength"]
    first, last, size = (int(group) for group in match.groups())
    return first, last + 1, size


def _would_wait() -> BlockingIOError:
    return BlockingIOError(errno.EAGAIN, "S3 is always a network round trip away")


def _error_code(error: BotoCoreError | ClientError) -> str | None:
    return error.response.get("Error", {}).get("Code") if isinstance(error, ClientError) else None


def _is_missing(error: BotoCoreError | ClientError) -> bool:
    if not isinstance(error, ClientError):
        return False
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return _error_code(error) in _MISSING_CODES or (status == 404 and _error_code(error) != "NoSuchBucket")
