"""Typed errors of the knowledge-base index, with Chinese and English messages."""

from __future__ import annotations

from workstation.errors import UserFacingError, ValidationError


class InvalidArticle(ValidationError):
    """An article record lacks a required field or has one of the wrong type."""

    code = "kb_invalid_article"


class ImportFailed(UserFacingError):
    """An import found malformed records and ``--strict`` refused to import anything."""

    code = "kb_import_failed"


class ImportSourceError(UserFacingError):
    """The import path does not exist or is of a format we do not read."""

    code = "kb_import_source"


class InvalidVector(ValidationError):
    """A vector row handed to ``put_vectors`` is malformed (id, hash, size)."""

    code = "kb_invalid_vector"
