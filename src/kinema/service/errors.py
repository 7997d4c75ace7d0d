"""Errors in OpenAI's shape: {"error": {"message", "type", "param", "code"}}, with OpenAI's status codes.

Every failure the service reports goes through `APIError`, including FastAPI's own (a malformed
body, an unknown route), so an `openai` SDK client always gets an error it can parse into the right
exception class (400 BadRequestError, 401 AuthenticationError, 403 PermissionDeniedError,
404 NotFoundError, 409 ConflictError, 413, 422, 429 RateLimitError).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    409: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    500: "server_error",
    503: "server_error",
}


class APIError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict | None = None,
    ):
        """`extra`: more keys for the error object (a refusal's `category`), after OpenAI's four."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code
        self.type = type or TYPES.get(status, "invalid_request_error")
        self.headers = headers or {}
        self.extra = dict(extra or {})

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code, **self.extra}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def bad_request(message: str, param: str | None = None, code: str | None = "invalid_value") -> APIError:
    return APIError(400, message, param=param, code=code)


def not_found(what: str, ident: str, param: str | None = None) -> APIError:
    return APIError(404, f"No {what} found with id {ident!r}.", param=param, code=f"{what.replace(' ', '_')}_not_found")


def _location(loc: tuple) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or None


async def handle_api_error(_request: Request, error: APIError) -> JSONResponse:
    return error.response()


async def handle_validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
    param = _location(tuple(first.get("loc", ())))
    message = f"{param}: {first['msg']}" if param else first["msg"]
    return APIError(400, message, param=param, code="invalid_value").response()


async def handle_http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code)
    message = error.detail if isinstance(error.detail, str) else "request failed"
    return APIError(error.status_code, message, code=code, headers=getattr(error, "headers", None)).response()


def install(app) -> None:
    app.add_exception_handler(APIError, handle_api_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
