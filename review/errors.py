"""Domain errors; the web and API layers turn them into 4xx responses with the Chinese message."""


class ReviewError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details  # machine-readable context for the API (e.g. the open findings)


class InvalidInput(ReviewError):
    status = 400
    code = "invalid_input"


class NotAuthenticated(ReviewError):
    status = 401
    code = "unauthorized"


class Forbidden(ReviewError):
    status = 403
    code = "forbidden"


class NotFound(ReviewError):
    status = 404
    code = "not_found"


class Conflict(ReviewError):
    """Wrong state or a stale revision."""

    status = 409
    code = "conflict"
