"""A REST API over ``kelompok.store``, and a page that walks a group through its stages.

Run it with ``KELOMPOK_DB=groups.db uvicorn --factory app:create_app --app-dir
examples/fastapi_app`` and open http://127.0.0.1:8000/ (the API: /docs).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

import kelompok
from kelompok.store import Conflict, IdempotencyMismatch, NotFound, StoreBusy, open_async_store

STATIC = FilePath(__file__).parent / "static"
GROUP_ID = r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$"  # kelompok's own rule for group ids
ERRORS = {  # what the store raises -> (HTTP status, code); refusals are handled apart
    NotFound: (404, "store.not_found"),
    Conflict: (412, "store.conflict"),  # If-Match named another version
    IdempotencyMismatch: (422, "store.idempotency_mismatch"),  # a key reused for another request
    kelompok.UsageError: (400, "request.invalid"),
    StoreBusy: (503, "store.busy"),  # the database stayed locked: try again later
}


class Reason(BaseModel):
    """Why a request was refused, or what a step still needs: a stable code, a message."""

    code: str
    message: str
    field: str | None
    fixed_by: list[str]


class Refusal(BaseModel):
    """Every 4xx answer: the reasons, and the group's stage when an event was refused."""

    stage: str | None
    reasons: list[Reason]


class Step(BaseModel):
    """An event allowed in the stage; ``ready`` when its requirements are met."""

    event: str
    label: str
    dest: str
    ready: bool
    fixed_by: list[str]
    unmet: list[Reason]
    fields: list[str]


class Status(BaseModel):
    """A group: its stage, version (the ``ETag``) and next steps, in the client's language."""

    id: str
    type: str
    type_label: str
    name: str
    stage: str
    stage_label: str
    terminal: bool
    version: int
    next_steps: list[Step]


class Record(BaseModel):
    """One event applied."""

    version: int  # the version this record made
    event: str
    label: str
    source: str
    dest: str
    at: str
    payload: dict[str, Any]
    actor: str | None


class History(BaseModel):
    """A page of a group's history."""

    records: list[Record]
    next_after: int | None  # ?after= of the next page; null on the last one


class Stage(BaseModel):
    """A stage of the group's type."""

    name: str
    label: str
    terminal: bool


class Move(BaseModel):
    """An event that leads from one stage to another."""

    event: str
    label: str
    source: str
    dest: str


class Diagram(BaseModel):
    """A group type's lifecycle, with the group's current stage."""

    current: str
    stages: list[Stage]
    moves: list[Move]
    mermaid: str


def language(accept_language: Annotated[str, Header()] = "en") -> str:
    """The client's language: kelompok takes an ``Accept-Language`` header as it comes."""
    return accept_language


Lang = Annotated[str, Depends(language)]
GroupId = Annotated[str, Path(pattern=GROUP_ID)]
IfMatch = Annotated[str, Header(pattern=r'^(\*|"?[0-9]{1,18}"?)$', description='an ETag: "3"')]
IdempotencyKey = Annotated[str, Header(pattern=r"^[!-~]{0,200}$")]  # visible ASCII; "": none
REFUSALS: dict[int | str, Any] = {
    status: {"model": Refusal} for status in (400, 404, 409, 412, 422)
}


def inline(schema: Any, defs: dict[str, Any]) -> Any:
    """*schema* with each ``$ref`` to *defs* written in place (OpenAPI has no ``$defs``)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return inline(defs[schema["$ref"].removeprefix("#/$defs/")], defs)
        return {k: inline(v, defs) for k, v in schema.items() if k not in ("$defs", "$schema")}
    if isinstance(schema, list):
        return [inline(item, defs) for item in schema]
    return schema


def openapi_body(schema: dict[str, Any]) -> dict[str, Any]:
    """The request body for ``openapi_extra``: kelompok's JSON Schema, read by the route."""
    content = {"application/json": {"schema": inline(schema, schema.get("$defs", {}))}}
    return {"requestBody": {"required": True, "content": content}}


def number(text: str) -> float:
    """JSON Schema counts ``4.0`` as an integer; kelompok wants an ``int`` (4) for it."""
    value = float(text)
    return int(value) if value.is_integer() else value


async def json_object(request: Request) -> dict[str, Any]:
    """The JSON object the client sent (an empty body is ``{}``); kelompok checks the rest."""
    try:
        payload = json.loads(await request.body() or b"{}", parse_float=number)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        said = {"en": "the body must be a JSON object", "id": "isi permintaan harus objek JSON"}
        raise RequestValidationError([{"loc": ("body",), "msg": said, "type": "json_object"}])
    return payload


def expected_version(if_match: str) -> int | None:
    """``If-Match: "3"`` -> 3: the event then applies only to version 3 (``*``: to any)."""
    return None if if_match == "*" else int(if_match.strip('"'))


def tagged(response: Response, group: kelompok.Group) -> kelompok.Group:
    """*group*, its version sent as the response's ``ETag``."""
    response.headers["ETag"] = f'"{group.version}"'
    return group


def refusal(status: int, reasons: list[dict[str, Any]], stage: str | None = None) -> JSONResponse:
    """A :class:`Refusal`."""
    return JSONResponse({"stage": stage, "reasons": reasons}, status_code=status)


PYDANTIC_ID = {  # Indonesian for the checks FastAPI makes of a request's path and query
    "greater_than_equal": "harus paling kecil {ge}",
    "less_than_equal": "harus paling besar {le}",
    "int_parsing": "harus bilangan bulat",
    "string_pattern_mismatch": "tidak sesuai pola {pattern}",
    "missing": "wajib diisi",
}


def said(error: dict[str, Any]) -> Any:
    """The message of one of FastAPI's validation errors, in English and Indonesian if known."""
    if isinstance(error["msg"], dict):  # one of this app's own
        return error["msg"]
    indonesian = PYDANTIC_ID.get(error.get("type", ""))
    if indonesian is None:
        return error["msg"]
    return {"en": error["msg"], "id": indonesian.format(**error.get("ctx", {}))}


async def refused(request: Request, error: Exception) -> JSONResponse:
    """Every error a client can cause, as a :class:`Refusal` in the client's language."""
    lang = request.headers.get("accept-language", "en")
    if isinstance(error, kelompok.TransitionNotAllowed):  # a payload of the wrong shape: 422
        shape = any(r.code.startswith("payload.") for r in error.reasons)
        return refusal(422 if shape else 409, [r.to_json(lang) for r in error.reasons], error.stage)
    if isinstance(error, kelompok.CreationRefused):
        return refusal(422, [r.to_json(lang) for r in error.reasons])
    if isinstance(error, RequestValidationError):
        field = lambda e: ".".join(map(str, e["loc"][1:])) or None
        reasons = [kelompok.Reason("request.invalid", said(e), field(e)) for e in error.errors()]
        return refusal(422, [r.to_json(lang) for r in reasons])
    if isinstance(error, StarletteHTTPException):  # no such route (an unknown event, say)
        text = {
            "en": f"no such path or method: {error.detail}",
            "id": "alamat atau metode ini tidak ada",
        }
        code = "request.not_found" if error.status_code == 404 else "request.invalid"
        answer = refusal(error.status_code, [kelompok.Reason(code, text).to_json(lang)])
        answer.headers.update(error.headers or {})  # a 405's Allow
        return answer
    status, code = next(v for k, v in ERRORS.items() if isinstance(error, k))
    text = getattr(error, "text", str(error))  # the store's errors speak both languages
    response = refusal(status, [kelompok.Reason(code, text).to_json(lang)])
    if isinstance(error, Conflict):
        response.headers["ETag"] = f'"{error.actual}"'
    return response


async def stored(request: Request, group_type: kelompok.GroupType[Any], group_id: str) -> Any:
    """The stored group with that id, if it is of *group_type*."""
    group = await request.app.state.store.get(group_id)
    if group.type is not group_type:
        raise NotFound(group_id)
    return group


def event_route(
    router: APIRouter, group_type: kelompok.GroupType[Any], event: kelompok.Event, links: Any
) -> None:
    """``POST .../{group_id}/events/<event>``, documented with the event's payload schema."""
    schema = event.json_schema()
    if "partner" in schema["properties"]:  # through the store, a partner is named by its id
        schema["properties"]["partner"] = {"type": "string", "pattern": GROUP_ID}

    @router.post(
        f"/{{group_id}}/events/{event.name}",
        response_model=Status,
        operation_id=f"{group_type.name}_{event.name}",
        summary=event.label("en"),
        openapi_extra=openapi_body(schema),
        responses={200: links},
    )
    async def fire(  # noqa: PLR0913, PLR0917 -- FastAPI's parameters
        group_id: GroupId,
        request: Request,
        response: Response,
        lang: Lang,
        if_match: IfMatch = "*",
        idempotency_key: IdempotencyKey = "",
    ) -> Any:
        await stored(request, group_type, group_id)
        group = await request.app.state.store.fire(
            group_id,
            event.name,
            await json_object(request),
            expected_version=expected_version(if_match),
            idempotency_key=idempotency_key or None,
        )
        return tagged(response, group).status(lang)


def routes(group_type: kelompok.GroupType[Any]) -> APIRouter:
    """Under ``/groups/<type>``: create, read, and a route per event with its payload's schema."""
    kind = group_type.name
    router = APIRouter(prefix=f"/groups/{kind}", tags=[kind], responses=REFUSALS)
    names = ["get", "history", "diagram", *(event.name for event in group_type.events)]
    ops = [f"{kind}_{name}" for name in names]
    to_group = {"group_id": "$response.body#/id"}  # for schemathesis: what to call next
    links = {"links": {op: {"operationId": op, "parameters": to_group} for op in ops}}
    founding = group_type.json_schema()["properties"]["founding"]

    @router.post(
        "",
        status_code=201,
        response_model=Status,
        operation_id=f"{kind}_create",
        openapi_extra=openapi_body(founding),
        responses={201: links},
    )
    async def create(request: Request, response: Response, lang: Lang) -> Any:
        """Found a group: it starts at version 0, in the first stage."""
        group = await request.app.state.store.create(group_type, **await json_object(request))
        response.headers["Location"] = f"/groups/{kind}/{group.id}"
        return tagged(response, group).status(lang)

    @router.get("/{group_id}", response_model=Status, operation_id=f"{kind}_get")
    async def get(group_id: GroupId, request: Request, response: Response, lang: Lang) -> Any:
        """The group's stage and its next steps, with what each one still needs."""
        return tagged(response, await stored(request, group_type, group_id)).status(lang)

    @router.get("/{group_id}/history", response_model=History, operation_id=f"{kind}_history")
    async def history(  # noqa: PLR0913, PLR0917 -- FastAPI's parameters
        group_id: GroupId,
        request: Request,
        response: Response,
        lang: Lang,
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> Any:
        """The events applied, oldest first, a page at a time."""
        tagged(response, await stored(request, group_type, group_id))
        page = await request.app.state.store.history(group_id, after=after, limit=limit)
        records = [{"version": after + n, **r.to_json(lang)} for n, r in enumerate(page, 1)]
        return {"records": records, "next_after": after + limit if len(page) == limit else None}

    @router.get("/{group_id}/diagram", response_model=Diagram, operation_id=f"{kind}_diagram")
    async def diagram(group_id: GroupId, request: Request, response: Response, lang: Lang) -> Any:
        """The lifecycle: stages, the moves between them, the group's stage; and as Mermaid."""
        group = tagged(response, await stored(request, group_type, group_id))
        stages = [
            {"name": s.name, "label": s.label(lang), "terminal": s.terminal}
            for s in group_type.stages
        ]
        moves = [
            {"event": e.name, "label": e.label(lang), "source": source, "dest": dest}
            for e in group_type.events
            for source, dest in e.moves.items()
            if dest
        ]
        mermaid = kelompok.mermaid(group_type, lang, current=group.stage)
        return {"current": group.stage, "stages": stages, "moves": moves, "mermaid": mermaid}

    for event in group_type.events:
        event_route(router, group_type, event, links)
    return router


def create_app(store_url: str | None = None) -> FastAPI:
    """The app, with one store (``store_url``, else ``$KELOMPOK_DB``, else ``./kelompok.db``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_async_store(store_url) as store:
            app.state.store = store
            yield

    app = FastAPI(title="kelompok groups", lifespan=lifespan)
    for error in (
        kelompok.TransitionNotAllowed,
        kelompok.CreationRefused,
        RequestValidationError,
        StarletteHTTPException,
    ):
        app.add_exception_handler(error, refused)
    for error in ERRORS:
        app.add_exception_handler(error, refused)
    for group_type in (kelompok.PROFESSIONAL, kelompok.VOLUNTEER):
        app.include_router(routes(group_type))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.get("/", include_in_schema=False)(lambda: FileResponse(STATIC / "index.html"))
    return app
