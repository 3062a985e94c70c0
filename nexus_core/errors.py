"""Domain errors: raised by nexus_core, turned into HTTP errors by the API and notices by the UI."""

from __future__ import annotations


class NexusError(Exception):
    """Base of every error a person can be told about; `str(error)` is the message for them."""

    status_code = 400
    title = "Bad request"
    retry_after: int | None = None
    """Seconds after which the same request may succeed, for errors that pass (the HTTP Retry-After)."""


class NotFound(NexusError):
    status_code = 404
    title = "Not found"


class NotAuthenticated(NexusError):
    status_code = 401
    title = "Not authenticated"


class Forbidden(NexusError):
    status_code = 403
    title = "Forbidden"


class Conflict(NexusError):
    status_code = 409
    title = "Conflict"


class MediaInUse(Conflict):
    """Deleting the item would break pages; `pages` names them (id, title) so the person can decide."""

    def __init__(self, message: str, pages: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.pages = pages


class InvalidInput(NexusError):
    status_code = 422
    title = "Invalid input"


class InvalidAttribute(InvalidInput):
    """A resource attribute whose value is refused; `attribute` names it as a JSON Pointer below the
    attributes (`crop/width`), so the API can point at it (`source.pointer`)."""

    def __init__(self, attribute: str, message: str) -> None:
        super().__init__(message)
        self.attribute = attribute


class MalformedRequest(NexusError):
    """A request that cannot even be read: a body that is not JSON, or is nested too deeply."""

    status_code = 400
    title = "Bad request"


class InvalidParameter(MalformedRequest):
    """A query parameter (a filter, a sort) whose value means nothing here; `parameter` names it
    as the person wrote it, so the API can point at it (`source.parameter`)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


class UploadTooLarge(NexusError):
    status_code = 413
    title = "File too large"


class RequestTooLarge(UploadTooLarge):
    """A request body over its limit, refused before the rest of it was read."""

    title = "Request too large"


class UnsupportedMediaType(NexusError):
    status_code = 415
    title = "Unsupported file type"


class ImageError(NexusError):
    """An image that cannot be decoded or processed; the message is the readable reason."""

    status_code = 415
    title = "Unusable image"


class InvalidPath(NexusError):
    """A storage path that would leave the storage root, or is malformed."""

    status_code = 404
    title = "Not found"


class StorageError(NexusError):
    """The storage backend failed (disk, network, permissions)."""

    status_code = 503
    title = "Storage unavailable"


class UploadsBusy(NexusError):
    """Every upload slot of this process stayed taken for the whole wait (see media/upload_slots.py)."""

    status_code = 503
    title = "Too many uploads"
    retry_after = 10
