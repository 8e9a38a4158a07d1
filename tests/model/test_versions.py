"""Version priority: apimachinery's pkg/version/helpers_test.go (TestCompareKubeAwareVersionStrings),
then kapply's own cases."""

from __future__ import annotations

import pytest

from kapply.model.versions import by_priority, priority_key

# (v1, v2, v1 is preferred over v2), the upstream table verbatim
UPSTREAM = [
    ("v1", "v2", False),
    ("v2", "v1", True),
    ("v10", "v2", True),
    ("v1", "v2alpha1", True),
    ("v1", "v2beta1", True),
    ("v1alpha2", "v1alpha1", True),
    ("v1beta1", "v2alpha3", True),
    ("v1alpha10", "v1alpha2", True),
    ("v1beta10", "v1beta2", True),
    ("foo", "v1beta2", False),
    ("bar", "foo", True),
    ("version1", "version2", True),  # non kube-like versions are sorted alphabetically
    ("version1", "version10", True),
]


@pytest.mark.parametrize(("a", "b", "greater"), UPSTREAM)
def test_compare_upstream(a: str, b: str, greater: bool) -> None:
    assert (priority_key(a) < priority_key(b)) is greater


def test_order_of_a_crds_versions() -> None:
    assert by_priority(["v1beta1", "v1", "v2alpha1", "v2", "v1alpha1", "v2beta1"]) == [
        "v2", "v1", "v2beta1", "v1beta1", "v2alpha1", "v1alpha1"]
