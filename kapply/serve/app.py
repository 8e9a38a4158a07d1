"""The ASGI application: Starlette routes for the API server's paths, each request handed to the
cluster thread (`worker.py`) and answered with what the handler encoded.

Every failure is a `Status` body with the API server's code and reason: a malformed body, an
unknown path, a refused write. Bodies over 3 MiB are refused with 413 before they are read in
full. With a token (`--address` other than loopback), a request without `Authorization: Bearer
<token>` gets 401. Nothing a client sends can end the server or block other requests: only the
cluster work is serialised, never the reading or writing of a connection.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from kapply.errors import KapplyError
from kapply.serve import crud, discovery, logstream, openapi, patching, resources, subresources, watch
from kapply.serve.call import Call, Reply, encode, warning_header
from kapply.serve.hub import Hub
from kapply.serve.negotiate import choose_output, wants_aggregated_discovery
from kapply.serve.routing import Query, parse_path, verb_of
from kapply.serve.status import ApiError, from_error, not_found_path
from kapply.serve.worker import ClusterWorker

MAX_BODY = 3 * 1024 * 1024  # the API server's request body limit
DRAIN = 4 * MAX_BODY  # a too-large body is read and dropped up to this size before the 413
KUBERNETES_VERSION = {
    "major": "1",
    "minor": "34",
    "emulationMajor": "1",
    "emulationMinor": "34",
    "minCompatibilityMajor": "1",
    "minCompatibilityMinor": "33",
    "gitVersion": "v1.34.0",
    "gitCommit": "kapply",
    "gitTreeState": "clean",
    "buildDate": "2025-08-27T00:00:00Z",
    "goVersion": "go1.24.6",
    "compiler": "gc",
    "platform": "linux/amd64",
}
WRITES = frozenset({"create", "update", "patch", "delete", "deletecollection"})
HEALTH_CHECKS = ("ping", "log", "etcd", "poststarthook/start-kapply-controllers")
log = logging.getLogger("kapply.serve")


@dataclass
class State:
    """What the routes share: the cluster thread, the watch hub, the token, the advertised address."""

    worker: ClusterWorker
    hub: Hub
    server_address: str = "127.0.0.1:6443"
    token: str = ""


def status_response(error: ApiError) -> Response:
    return Response(
        encode(error.body()), status_code=error.code, media_type="application/json", headers=error.headers
    )


def to_response(result: Reply) -> Response:
    return Response(
        result.body, status_code=result.status, media_type=result.content_type, headers=result.headers
    )


def guarded(fn: Callable[[Call], Reply], call: Call) -> Callable[[], Reply]:
    """The handler as a cluster-thread job whose refusals become Status replies."""

    def job() -> Reply:
        try:
            reply = fn(call)
            if call.target.resource.kind == "CustomResourceDefinition" and call.method != "GET":
                resources.refresh(call.cluster)  # served (or gone) before the client's next request
            return reply
        except ApiError as exc:
            return Reply(exc.code, encode(exc.body()), headers=exc.headers)
        except KapplyError as exc:
            error = from_error(exc)
            return Reply(error.code, encode(error.body()))

    return job


class Api:
    """The routes, bound to one `State`."""

    def __init__(self, state: State) -> None:
        self.state = state

    async def run(self, job: Callable[[], Any], write: bool = False) -> Any:
        return await asyncio.wrap_future(self.state.worker.submit(job, write))

    # ---- plumbing ----------------------------------------------------------------------------------

    def authorized(self, request: Request) -> bool:
        token = self.state.token
        if not token:
            return True
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())

    async def body(self, request: Request) -> bytes:
        """The request body, at most MAX_BODY bytes; 413 beyond. A too-large body is still read
        (up to DRAIN bytes) before the answer, so the client sees the 413 rather than a reset."""
        declared = request.headers.get("content-length")
        too_large = bool(declared and declared.isdigit() and int(declared) > MAX_BODY)
        if too_large and int(declared or 0) > DRAIN:
            raise ApiError(413, "RequestEntityTooLarge", f"Request entity too large: limit is {MAX_BODY}", {})
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                too_large = True
                chunks.clear()
                if size > DRAIN:
                    break
            elif not too_large:
                chunks.append(chunk)
        if too_large:
            raise ApiError(413, "RequestEntityTooLarge", f"Request entity too large: limit is {MAX_BODY}", {})
        return b"".join(chunks)

    def endpoint(self, fn: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def wrapped(request: Request) -> Response:
            if not self.authorized(request):
                return status_response(ApiError(401, "Unauthorized", "Unauthorized", {}))
            try:
                return await fn(request)
            except ApiError as exc:
                return status_response(exc)
            except KapplyError as exc:
                return status_response(from_error(exc))
            except Exception as exc:  # a bug: answer 500, keep serving
                log.exception("internal error serving %s %s", request.method, request.url.path)
                return status_response(ApiError(500, "InternalError", f"Internal error occurred: {exc}", {}))

        return wrapped

    # ---- fixed paths -------------------------------------------------------------------------------

    async def version(self, request: Request) -> Response:
        return Response(encode(KUBERNETES_VERSION), media_type="application/json")

    async def health(self, request: Request) -> Response:
        worker = self.state.worker
        healthy = worker.alive
        if "verbose" in request.query_params:
            lines = [
                f"[+]{c} ok" if healthy or c == "ping" else f"[-]{c} failed: reason withheld"
                for c in HEALTH_CHECKS
            ]
            path = request.url.path.strip("/").split("/")[0]
            lines.append(f"{path} check passed" if healthy else f"{path} check failed")
            return PlainTextResponse("\n".join(lines) + "\n", status_code=200 if healthy else 500)
        return PlainTextResponse(
            "ok" if healthy else "cluster worker stopped", status_code=200 if healthy else 500
        )

    async def discovery(self, request: Request) -> Response:
        path = request.url.path.rstrip("/")
        aggregated = wants_aggregated_discovery(request.headers.get("accept"))
        headers = {"Vary": "Accept"}
        if path in ("/api", "/apis") and aggregated:
            doc = discovery.aggregated(path == "/api", aggregated)
            return Response(
                encode(doc), media_type=discovery.AGGREGATED_TYPE.format(version=aggregated), headers=headers
            )
        choose_output(request.headers.get("accept"), shapes=False)
        parts = [p for p in path.split("/") if p]
        if path == "/api":
            found: Any = discovery.api_versions(self.state.server_address)
        elif path == "/apis":
            found = discovery.api_group_list()
        elif parts[0] == "api" and len(parts) == 2:
            found = discovery.resource_list("", parts[1])
        elif parts[0] == "apis" and len(parts) == 2:
            found = discovery.api_group(parts[1])
        else:
            found = discovery.resource_list(parts[1], parts[2])
        if found is None:
            raise not_found_path()
        return Response(encode(found), media_type="application/json", headers=headers)

    async def openapi(self, request: Request) -> Response:
        """The OpenAPI v3 index and documents (built off the event loop once, then cached)."""
        rest = request.path_params.get("rest", "")
        doc = (
            await asyncio.to_thread(openapi.document, rest)
            if rest
            else await asyncio.to_thread(openapi.index)
        )
        if doc is None:
            raise not_found_path()
        cache = "public, immutable" if "hash" in request.query_params else "no-cache, private"
        return Response(doc, media_type="application/json", headers={"Cache-Control": cache})

    async def not_found(self, request: Request) -> Response:
        raise not_found_path()

    # ---- resources ---------------------------------------------------------------------------------

    async def routed(self, path: str) -> Any:
        """The target of a resource path; a path in a group not known yet (a CRD another process just
        established) is looked up again after the cluster thread refreshed the custom kinds."""
        try:
            return parse_path(path)
        except ApiError as exc:
            if exc.code != 404 or not path.startswith("/apis/"):
                raise
        await self.run(lambda: resources.refresh(self.state.worker.cluster))
        return parse_path(path)

    async def resource(self, request: Request) -> Response:
        target = await self.routed(request.url.path)
        query = Query(request.url.query)
        verb = verb_of(request.method, target, query)
        sub = target.subresource
        output = choose_output(
            request.headers.get("accept"), shapes=verb in ("get", "list", "watch") and not sub
        )
        body = await self.body(request) if request.method in ("POST", "PUT", "PATCH", "DELETE") else b""
        call = Call(
            self.state.worker.cluster,
            request.method,
            target,
            query,
            output,
            body,
            request.headers.get("content-type", ""),
            request.headers.get("user-agent", ""),
        )
        if verb == "watch":
            timeout = watch.timeout_of(call)
            begun = await self.run(lambda: watch.start(call, self.state.hub))
            return StreamingResponse(watch.stream(call, begun, timeout), media_type="application/json")
        if sub == "log" and query.flag("follow"):
            following = await self.run(lambda: logstream.start(call, self.state.hub))
            return StreamingResponse(logstream.stream(call, following, self.run), media_type="text/plain")
        handler = _handler(verb, sub)
        result = await self.run(guarded(handler, call), write=verb in WRITES or (sub == "eviction"))
        deprecated = resources.DEPRECATED.get((target.resource.group, target.resource.kind))
        if deprecated:  # the API server warns on every request for a deprecated resource
            given = result.headers.get("Warning")
            result.headers["Warning"] = ", ".join(filter(None, (warning_header(deprecated), given)))
        return to_response(result)

    def routes(self) -> list[Route]:
        every = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
        ep = self.endpoint
        return [
            Route("/version", ep(self.version), methods=["GET"]),
            *(
                Route(p, ep(self.health), methods=["GET"])
                for p in (
                    "/healthz",
                    "/livez",
                    "/readyz",
                    "/healthz/{check:path}",
                    "/livez/{check:path}",
                    "/readyz/{check:path}",
                )
            ),
            Route("/api", ep(self.discovery), methods=["GET"]),
            Route("/apis", ep(self.discovery), methods=["GET"]),
            Route("/api/{version}", ep(self.discovery), methods=["GET"]),
            Route("/apis/{group}", ep(self.discovery), methods=["GET"]),
            Route("/apis/{group}/{version}", ep(self.discovery), methods=["GET"]),
            Route("/openapi/v3", ep(self.openapi), methods=["GET"]),
            Route("/openapi/v3/{rest:path}", ep(self.openapi), methods=["GET"]),
            Route("/api/{rest:path}", ep(self.resource), methods=every),
            Route("/apis/{rest:path}", ep(self.resource), methods=every),
            Route("/{rest:path}", ep(self.not_found), methods=every),
        ]


def _handler(verb: str, sub: str | None) -> Callable[[Call], Reply]:
    if sub == "status":
        return lambda call: subresources.status(call, verb)
    if sub == "scale":
        return lambda call: subresources.scale(call, verb)
    if sub == "log":
        return subresources.log
    if sub == "eviction":
        return subresources.evict
    return {
        "get": crud.get,
        "list": crud.list_objects,
        "create": crud.create,
        "update": crud.update,
        "patch": patching.patch,
        "delete": crud.delete,
        "deletecollection": crud.delete_collection,
    }[verb]


def build_app(state: State) -> Starlette:
    """The Starlette application serving `state`'s cluster."""
    return Starlette(routes=Api(state).routes())
