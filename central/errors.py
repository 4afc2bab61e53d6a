"""Errors of the central server, each with the HTTP status it maps to."""

from __future__ import annotations

from workstation.errors import UserFacingError


class HTTPError(UserFacingError):
    """A user-facing error with an HTTP status; the app's handler renders it."""

    status = 400


class AuthError(HTTPError):
    code = "unauthenticated"
    status = 401


class Forbidden(HTTPError):
    code = "forbidden"
    status = 403


class NotFound(HTTPError):
    code = "not_found"
    status = 404


class MutationGap(HTTPError):
    code = "mutation_gap"
    status = 409


class CursorAhead(HTTPError):
    """A pull cursor beyond the server's newest change: the seat starts over from 0."""

    code = "cursor_ahead"
    status = 409


class TooLarge(HTTPError):
    code = "too_large"
    status = 413


class BadBody(HTTPError):
    code = "invalid"
    status = 422


class Unavailable(HTTPError):
    """The database is busy or down: transient, the client retries."""

    code = "unavailable"
    status = 503
