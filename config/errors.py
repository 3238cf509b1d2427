"""The one base of every domain error. It knows nothing of HTTP: each door (API,
portal, admin) maps `code` to its own way of answering, in one place per door."""

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    """A rule said no. `code` is stable and machine-readable; `message` names the
    field, line, row or SKU at fault; `errors` lists them where there are several."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, errors: list | dict | None = None, **extra):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.errors = errors
        self.extra = extra

    def as_dict(self) -> dict:
        body = {"code": self.code, "detail": self.message}
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class NotFoundError(DomainError):
    code = "not_found"


class ConflictError(DomainError):
    code = "conflict"


def summarise_errors(errors: Sequence[Mapping], *, subject: str = "this request") -> str:
    """Return the one-line `detail` for a list of problems (each with a `detail`; at
    least one): the problem itself when there is one, else how many there are, about
    `subject`, and the first, so the line alone still names something at fault."""
    if len(errors) == 1:
        return errors[0]["detail"]
    return f"{len(errors)} problems with {subject}; see errors. First: {errors[0]['detail']}"


class UnprocessableError(DomainError):
    """Well-formed, but it contradicts what came before (a reused idempotency key)."""

    code = "unprocessable"
