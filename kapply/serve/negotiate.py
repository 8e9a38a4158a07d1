"""Content negotiation: what a client accepts (Accept) and what it sent (Content-Type).

Clients name the shape they want in media-type parameters, as the API server reads them:
`application/json;as=Table;v=v1;g=meta.k8s.io` (server-side printing, `kubectl get`),
`application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io` (metadata only), and for
discovery `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`. The first
acceptable entry wins; protobuf is not offered, so a client asking for it and JSON gets JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kapply.serve.status import ApiError, not_acceptable

ACCEPTED_OUTPUT = "application/json, application/yaml"
JSON = "application/json"
YAML = "application/yaml"


@dataclass(frozen=True)
class MediaType:
    type: str  # "application/json"
    params: dict[str, str] = field(default_factory=dict)
    quality: float = 1.0

    def matches(self, wanted: str) -> bool:
        kind, _, sub = self.type.partition("/")
        want_kind, _, want_sub = wanted.partition("/")
        return (kind in ("*", want_kind)) and (sub in ("*", want_sub))


def parse_media_types(header: str | None) -> list[MediaType]:
    """An Accept header's entries, highest quality first (stable), q=0 dropped."""
    found: list[MediaType] = []
    for part in (header or "").split(","):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        params: dict[str, str] = {}
        quality = 1.0
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            key, value = key.strip().lower(), value.strip().strip('"')
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
            elif key:
                params[key] = value
        if quality > 0:
            found.append(MediaType(pieces[0].lower(), params, quality))
    found.sort(key=lambda m: -m.quality)
    return found


@dataclass(frozen=True)
class Output:
    """What to answer with: `format` json or yaml; `shape` object, Table or PartialObjectMetadata."""

    format: str = "json"
    shape: str = ""  # "", "Table", "PartialObjectMetadata", "PartialObjectMetadataList"
    version: str = "v1"  # of the meta.k8s.io shape

    @property
    def content_type(self) -> str:
        return YAML if self.format == "yaml" else JSON


_SHAPES = {"Table", "PartialObjectMetadata", "PartialObjectMetadataList"}


def choose_output(accept: str | None, shapes: bool = True) -> Output:
    """The output for an object or list request; 406 when nothing offered is acceptable.

    `shapes` False (a write's response, a subresource) ignores Table and metadata requests, as
    the API server answers those with the object itself.
    """
    types = parse_media_types(accept) or [MediaType("*/*")]
    for media in types:
        shape = media.params.get("as", "")
        if shape:
            if media.params.get("g") != "meta.k8s.io" or shape not in _SHAPES:
                continue
            if not shapes:
                continue
            if media.params.get("v") not in ("v1", "v1beta1"):
                continue
            if media.matches(JSON):
                return Output("json", shape, media.params["v"])
            continue
        if media.matches(JSON):
            return Output("json")
        if media.matches(YAML):
            return Output("yaml")
    if not shapes and any(m.params.get("as") for m in types):
        return Output("json")  # a shape we do not apply here: the object itself
    raise not_acceptable(ACCEPTED_OUTPUT)


def wants_aggregated_discovery(accept: str | None) -> str:
    """ "v2" or "v2beta1" when the client asks for aggregated discovery first, else ""."""
    for media in parse_media_types(accept):
        if (
            media.params.get("as") == "APIGroupDiscoveryList"
            and media.params.get("g") == "apidiscovery.k8s.io"
        ):
            if media.params.get("v") in ("v2", "v2beta1") and media.matches(JSON):
                return media.params["v"]
            continue
        if media.matches(JSON) and "as" not in media.params:
            return ""
    return ""


def body_type(content_type: str | None) -> str:
    """The bare media type of a request body (`application/json`)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def check_body_type(content_type: str | None, accepted: tuple[str, ...]) -> str:
    """The body's media type if it is one of `accepted`, else 415."""
    found = body_type(content_type)
    if found in accepted:
        return found
    message = ", ".join(accepted)
    raise ApiError(
        415,
        "UnsupportedMediaType",
        f"the body of the request was in an unknown format - accepted media types include: {message}",
        {},
    )
