"""Which container `kapply logs POD` reads without -c, and what it says about it (kubectl's rules)."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cli.commands.logs import choose_container, tail_lines
from kapply.errors import KapplyError


def _pod(containers: list[str], inits: tuple[str, ...] = (), default: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "web-1", "namespace": "default"}
    if default is not None:
        meta["annotations"] = {"kubectl.kubernetes.io/default-container": default}
    return {"metadata": meta, "spec": {"containers": [{"name": n} for n in containers],
                                       "initContainers": [{"name": n} for n in inits]}}


@pytest.mark.parametrize(("pod", "requested", "expected"), [
    (_pod(["app"]), None, ("app", "")),
    (_pod(["app", "proxy"]), None, ("app", 'Defaulted container "app" out of: app, proxy\n')),
    (_pod(["app"], inits=("migrate",)), None,
     ("app", 'Defaulted container "app" out of: app, migrate (init)\n')),
    (_pod(["app", "proxy"], default="proxy"), None, ("proxy", "")),
    (_pod(["app", "proxy"], default="gone"), None,
     ("app", 'Default container name "gone" not found in pod web-1\n'
             'Defaulted container "app" out of: app, proxy\n')),
    (_pod(["app", "proxy"]), "proxy", ("proxy", "")),
    (_pod(["app"], inits=("migrate",)), "migrate", ("migrate", "")),
])
def test_choose_container(pod: dict[str, Any], requested: str | None, expected: tuple[str, str]) -> None:
    assert choose_container(pod, requested) == expected


def test_unknown_container_is_refused_like_kubectl() -> None:
    with pytest.raises(KapplyError, match=r"^container sidecar is not valid for pod web-1$"):
        choose_container(_pod(["app"]), "sidecar")


@pytest.mark.parametrize(("count", "expected"), [(-1, "a\nb\nc\n"), (0, ""), (2, "b\nc\n"), (9, "a\nb\nc\n")])
def test_tail_lines(count: int, expected: str) -> None:
    assert tail_lines("a\nb\nc\n", count) == expected
