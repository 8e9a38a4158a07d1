"""Kubernetes' order of API versions: which of a group's versions is preferred.

apimachinery's `version.CompareKubeAwareVersionStrings`: GA versions first (`v2` before `v1`),
then betas, then alphas (`v1beta2` before `v1beta1`, `v2beta1` before `v1beta2`), then anything
else in plain string order. Discovery lists a CRD's versions in this order, and the first served
one is what `kubectl get` reads when no version is named.
"""

from __future__ import annotations

import re

_KUBE_VERSION = re.compile(r"^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$")
_STAGE = {None: 0, "beta": 1, "alpha": 2}


def priority_key(version: str) -> tuple[int, int, int, str]:
    """A sort key putting the most preferred version first."""
    match = _KUBE_VERSION.match(version)
    if match is None:
        return (3, 0, 0, version)
    major, stage, minor = match.groups()
    return (_STAGE[stage], -int(major), -int(minor or 0), "")


def by_priority(versions: list[str] | tuple[str, ...]) -> list[str]:
    """The versions, most preferred first."""
    return sorted(versions, key=priority_key)
