"""Model downloads for seats: ``GET /api/v1/assist/model/{version}`` (any signed-in role).

The body is the ``.npz`` file as stored; its ETag is the SHA-256 the ``assist_model``
change announced, so a seat verifies what it got and a repeated request with
``If-None-Match`` costs nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path
from fastapi.responses import Response

from central.api_models import error_responses
from central.assist_training import model_bytes
from central.auth import SessionDep, StoreDep
from central.errors import NotFound

router = APIRouter(prefix="/api/v1/assist", tags=["assist"])

Version = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.get(
    "/model/{version}",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "the model file"},
        **error_responses(401, 404, 422),
    },
)
def download_model(
    version: Version,
    store: StoreDep,
    session: SessionDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The model file of ``version``; 404 for a version the server never trained."""
    with store.db.read() as conn:
        found = model_bytes(conn, version)
    if found is None:
        raise NotFound(f"没有第 {version} 版辅助模型", f"no assist model version {version}")
    data, sha = found
    headers = {"ETag": f'"{sha}"', "Cache-Control": "private, max-age=31536000, immutable"}
    if if_none_match and sha in if_none_match:
        return Response(status_code=304, headers=headers)
    headers["Content-Encoding"] = "identity"  # .npz is compressed already: no gzip pass
    return Response(content=data, media_type="application/octet-stream", headers=headers)
