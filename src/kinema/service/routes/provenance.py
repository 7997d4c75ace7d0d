"""POST /v1/provenance/verify: was this video made here? (`kinema verify` over HTTP, PRODUCT.md §6.)

Verification reads the file's C2PA manifest, the watermark in its frames and its fingerprints
against this service's index (numpy, PyAV and c2pa: no torch), so it runs in the API process, in
the thread pool like every route.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Request

from kinema.service import hooks
from kinema.service.auth import CurrentUser
from kinema.service.errors import APIError
from kinema.service.requests import BodyDep, check_video
from kinema.service.schemas import ERROR_RESPONSES, VerifyReport

router = APIRouter(prefix="/v1/provenance", tags=["provenance"], responses=ERROR_RESPONSES)

UPLOAD_SPEC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "The video to check (MP4, WebM, MOV or GIF)."}},
}}}}}


def service_provenance(request: Request):
    """The service's Provenance, made at the first verification (it opens the fingerprint index)."""
    state = request.app.state
    if state.provenance is None:
        state.provenance = hooks.provenance(state.settings)
    return state.provenance


@router.post("/verify", response_model=VerifyReport, openapi_extra=UPLOAD_SPEC)
def verify_video(request: Request, user: CurrentUser, body: BodyDep) -> VerifyReport:
    """Check a video's C2PA manifest, watermark and fingerprints; one verdict: made here, not made here, or unknown."""
    files = dict(body.files)
    upload = files.pop("file", None)
    unknown = sorted(set(files) | set(body.fields))
    if unknown:
        raise APIError(400, f"Unknown parameter: '{unknown[0]}'; send the video as the multipart file 'file'.", param=unknown[0], code="unknown_parameter")
    if upload is None:
        raise APIError(400, "Missing required parameter: 'file' (a video file, sent as multipart/form-data).", param="file", code="missing_required_parameter")
    checked, _ = check_video(upload.data, "file", upload.content_type, upload.filename)
    with tempfile.TemporaryDirectory(prefix="kinema-verify-") as folder:
        path = Path(folder) / f"upload{checked.suffix}"
        path.write_bytes(upload.data)
        report = hooks.verify(path, service_provenance(request))
    return VerifyReport(**{**report, "file": upload.filename or path.name})
