"""Discovery: which groups, versions and resources the server offers, in both of its forms.

Legacy discovery is one document per level (`/api` APIVersions, `/apis` APIGroupList,
`/apis/GROUP` APIGroup, `/api/v1` and `/apis/GROUP/VERSION` APIResourceList). Aggregated discovery
(`apidiscovery.k8s.io/v2`, and v2beta1 for kubectl before 1.30) answers `/api` and `/apis` with every
resource at once; kubectl asks for it first and falls back to the legacy documents. Both are built
from `resources.served()`.
"""

from __future__ import annotations

from typing import Any

from kapply.serve import resources
from kapply.serve.resources import Resource

Obj = dict[str, Any]
AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"


def api_versions(server_address: str) -> Obj:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group_versions(group: str) -> list[Obj]:
    return [
        {"groupVersion": f"{group}/{v}", "version": v} for g, v in resources.group_versions() if g == group
    ]


def api_group(group: str) -> Obj | None:
    versions = _group_versions(group)
    if not group or not versions:
        return None
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": versions,
        "preferredVersion": versions[0],
    }


def api_group_list() -> Obj:
    groups = []
    for group in dict.fromkeys(g for g, _ in resources.group_versions() if g):
        found = api_group(group)
        assert found is not None
        groups.append({k: v for k, v in found.items() if k not in ("kind", "apiVersion")})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def _legacy_resource(res: Resource) -> list[Obj]:
    main: Obj = {
        "name": res.plural,
        "singularName": res.info.singular,
        "namespaced": res.namespaced,
        "kind": res.kind,
        "verbs": list(res.verbs),
    }
    if res.info.short_names:
        main["shortNames"] = list(res.info.short_names)
    if res.categories:
        main["categories"] = list(res.categories)
    out = [main]
    for sub in res.subresources:
        entry: Obj = {"name": f"{res.plural}/{sub.name}", "singularName": "", "namespaced": res.namespaced}
        if sub.kind and (sub.group, sub.version) != (res.group, res.version):
            entry.update(group=sub.group, version=sub.version)
        entry.update(kind=sub.kind or res.kind, verbs=list(sub.verbs))
        out.append(entry)
    return out


def resource_list(group: str, version: str) -> Obj | None:
    """The APIResourceList of /api/v1 or /apis/GROUP/VERSION; None when not served."""
    found = resources.in_group_version(group, version)
    if not found:
        return None
    listed = [entry for res in found for entry in _legacy_resource(res)]
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": listed,
    }


def _aggregated_resource(res: Resource) -> Obj:
    entry: Obj = {
        "resource": res.plural,
        "responseKind": {"group": res.group, "version": res.version, "kind": res.kind},
        "scope": "Namespaced" if res.namespaced else "Cluster",
        "singularResource": res.info.singular,
        "verbs": list(res.verbs),
    }
    if res.info.short_names:
        entry["shortNames"] = list(res.info.short_names)
    if res.categories:
        entry["categories"] = list(res.categories)
    if res.subresources:
        entry["subresources"] = [
            {
                "subresource": sub.name,
                "responseKind": {
                    "group": sub.group if sub.kind else res.group,
                    "version": sub.version if sub.kind else res.version,
                    "kind": sub.kind or res.kind,
                },
                "verbs": list(sub.verbs),
            }
            for sub in res.subresources
        ]
    return entry


def aggregated(core: bool, version: str = "v2") -> Obj:
    """The APIGroupDiscoveryList of /api (core) or /apis (every named group)."""
    items = []
    groups = [""] if core else list(dict.fromkeys(g for g, _ in resources.group_versions() if g))
    for group in groups:
        versions = []
        for g, v in resources.group_versions():
            if g == group:
                versions.append(
                    {
                        "version": v,
                        "freshness": "Current",
                        "resources": [_aggregated_resource(r) for r in resources.in_group_version(g, v)],
                    }
                )
        meta: Obj = {"name": group, "creationTimestamp": None} if group else {"creationTimestamp": None}
        items.append({"metadata": meta, "versions": versions})
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": f"apidiscovery.k8s.io/{version}",
        "metadata": {},
        "items": items,
    }
