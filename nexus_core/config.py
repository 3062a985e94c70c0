"""Settings: one class, read from NEXUS_* environment variables."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from nexus_core.media import renditions

MEGABYTE = 1024 * 1024
# An animation's frames, at most: 40 s at 25 frames a second. Each frame costs decoding and encoding
# time whatever its size, so tiny frames by the thousand stay within the pixel limit but not this one.
DEFAULT_MAX_IMAGE_FRAMES = 1000
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Settings(BaseSettings):
    """Everything configurable about a Nexus installation; defaults are the embedded set-up."""

    model_config = SettingsConfigDict(env_prefix="NEXUS_", extra="ignore")

    home: Path = Path("var")
    database_url: str | None = None
    storage_backend: Literal["local", "s3"] = "local"
    media_dir: Path | None = None
    s3_bucket: str | None = None
    s3_prefix: str = "media"
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    queue_url: str | None = None
    secret_key: str | None = None
    max_upload_mb: int = Field(default=20, gt=0)
    max_files_per_upload: int = Field(default=10, gt=0)
    max_image_pixels: int = Field(default=100_000_000, gt=0)
    max_image_frames: int = Field(default=DEFAULT_MAX_IMAGE_FRAMES, gt=0)
    max_concurrent_uploads: int = Field(default=4, gt=0)
    upload_wait_seconds: float = Field(default=30, gt=0)
    processing_timeout: int = Field(default=300, gt=0)
    keep_original_metadata: bool = False
    accel_redirect: str | None = Field(default=None, pattern=r"^/[A-Za-z0-9_/-]*/$")
    secure_cookies: bool = False
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = Field(default=None, pattern=r"^https?://[^/?#\s]+(/[^?#\s]*)?$")
    trusted_hosts: str = ""
    modern_formats: str = "webp,avif"
    webhook_allow_private: bool = False
    """Let webhooks reach loopback, private, link-local and other non-public addresses (development and
    tests; an internal receiver you trust). Off, a webhook cannot be turned against internal services."""
    old_version_grace: timedelta = Field(default=timedelta(hours=24), ge=timedelta(0))
    """How long the files of an item's earlier version stay after an edit or a replacement (`24h`, `90m`,
    seconds, or ISO 8601 such as PT24H): pages and caches holding their URLs keep working meanwhile."""

    @field_validator("old_version_grace", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        """`86400`, `24h`, `90m`, `30s` or `2d`; anything else as pydantic reads a duration (PT24H)."""
        if isinstance(value, str) and (match := _DURATION.fullmatch(value.strip().lower())):
            return timedelta(seconds=float(match[1]) * _UNIT_SECONDS[match[2] or "s"])
        return value

    @field_validator("modern_formats")
    @classmethod
    def _known_modern_formats(cls, value: str) -> str:
        renditions.parse_modern_formats(value)
        return value

    @model_validator(mode="after")
    def _require_bucket_for_s3(self) -> Settings:
        if self.storage_backend == "s3" and not self.s3_bucket:
            raise ValueError("NEXUS_S3_BUCKET must be set when NEXUS_STORAGE_BACKEND=s3")
        return self

    @property
    def resolved_home(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.resolved_home / 'nexus.db'}"

    @property
    def resolved_media_dir(self) -> Path:
        return (self.media_dir or self.resolved_home / "media").expanduser().resolve()

    @property
    def resolved_queue_url(self) -> str:
        return self.queue_url or f"sqlite:///{self.resolved_home / 'queue.db'}"

    @property
    def modern_mime_types(self) -> tuple[str, ...]:
        """NEXUS_MODERN_FORMATS as MIME types: the formats every variant is also made in."""
        return renditions.parse_modern_formats(self.modern_formats)

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * MEGABYTE

    @property
    def resolved_public_url(self) -> str:
        """Where people reach this server: NEXUS_PUBLIC_URL, else where `nexus serve` listens."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return (self.public_url or f"http://{host}:{self.port}").rstrip("/")

    @property
    def resolved_trusted_hosts(self) -> tuple[str, ...]:
        """NEXUS_TRUSTED_HOSTS; unset, loopback names while NEXUS_PUBLIC_URL is unset too (development)."""
        listed = tuple(name.strip().lower() for name in self.trusted_hosts.split(",") if name.strip())
        return listed or (() if self.public_url else LOOPBACK_HOSTS)

    def resolved_secret_key(self) -> str:
        """The configured key, or one created once and kept under NEXUS_HOME."""
        if self.secret_key:
            return self.secret_key
        key_file = self.resolved_home / "secret_key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing the environment."""
    return Settings()
