"""kubectl's `rollout undo` logic: which revision, what is copied back, and the refusals."""

from __future__ import annotations

from typing import Any

import pytest

from kapply.cluster.sim.controllers.deployment.rollback import RollbackError, rollback

UID = "d-uid"


def template(image: str, hash_: str | None = None) -> dict[str, Any]:
    labels = {"app": "web", **({"pod-template-hash": hash_} if hash_ else {})}
    return {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "web", "image": image}]}}


def rs(revision: int, image: str, owner: str = UID, **annotations: str) -> dict[str, Any]:
    return {"metadata": {"name": f"web-{revision}", "annotations": {
                "deployment.kubernetes.io/revision": str(revision), **annotations},
                         "ownerReferences": [{"uid": owner, "controller": True}]},
            "spec": {"template": template(image, f"h{revision}")}}


def deployment(image: str, paused: bool = False) -> dict[str, Any]:
    return {"metadata": {"name": "web", "uid": UID, "annotations": {
                "deployment.kubernetes.io/revision": "3", "kapply.io/last-applied": "{}", "note": "now"}},
            "spec": {"paused": paused, "template": template(image)}}


HISTORY = [rs(1, "v1", **{"kubernetes.io/change-cause": "first"}), rs(2, "v2"), rs(3, "v3"),
           rs(9, "v9", owner="someone-else")]


def test_undo_goes_to_the_previous_revision() -> None:
    result = rollback(deployment("v3"), HISTORY)
    assert result.message == "rolled back"
    assert result.deployment is not None
    assert result.deployment["spec"]["template"] == template("v2")  # no pod-template-hash label
    assert result.deployment["metadata"]["annotations"] == {
        "deployment.kubernetes.io/revision": "3", "kapply.io/last-applied": "{}"}


def test_undo_to_a_revision_copies_its_annotations() -> None:
    result = rollback(deployment("v3"), HISTORY, to_revision=1)
    assert result.deployment is not None
    assert result.deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "v1"
    assert result.deployment["metadata"]["annotations"]["kubernetes.io/change-cause"] == "first"


def test_undo_to_the_current_template_is_skipped() -> None:
    result = rollback(deployment("v2"), HISTORY, to_revision=2)
    assert (result.message, result.deployment) == (
        "skipped rollback (current template already matches revision 2)", None)


@pytest.mark.parametrize(("d", "rss", "to_revision", "message"), [
    (deployment("v3"), HISTORY, 9, "unable to find specified revision 9 in history"),  # not ours
    (deployment("v3"), HISTORY, 5, "unable to find specified revision 5 in history"),
    (deployment("v1"), HISTORY[:1], 0, 'no rollout history found for deployment "web"'),
    (deployment("v3", paused=True), HISTORY, 0,
     "you cannot rollback a paused deployment; resume it first with 'kapply rollout resume' and try again"),
])
def test_refusals(d: dict[str, Any], rss: list[dict[str, Any]], to_revision: int, message: str) -> None:
    with pytest.raises(RollbackError) as err:
        rollback(d, rss, to_revision)
    assert str(err.value) == message
