"""The kubeconfig merge: kapply-NAME entries replaced, every other entry kept, written atomically."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kapply.serve.kubeconfig import Entry, KubeconfigError, default_path, merged, write_entry

OTHER = {
    "apiVersion": "v1",
    "kind": "Config",
    "current-context": "prod",
    "clusters": [
        {"name": "prod", "cluster": {"server": "https://prod:6443"}},
        {"name": "kapply-demo", "cluster": {"server": "http://127.0.0.1:1"}},
    ],
    "users": [{"name": "admin", "user": {"token": "secret"}}],
    "contexts": [{"name": "prod", "context": {"cluster": "prod", "user": "admin"}}],
}


def test_merge_replaces_its_own_entries_and_keeps_the_others() -> None:
    doc = merged(OTHER, Entry("kapply-demo", "http://127.0.0.1:6443"))
    assert [c["name"] for c in doc["clusters"]] == ["prod", "kapply-demo"]
    assert doc["clusters"][1] == {"name": "kapply-demo", "cluster": {"server": "http://127.0.0.1:6443"}}
    assert doc["users"] == [
        {"name": "admin", "user": {"token": "secret"}},
        {"name": "kapply-demo", "user": {}},
    ]
    assert doc["contexts"][1] == {
        "name": "kapply-demo",
        "context": {"cluster": "kapply-demo", "user": "kapply-demo", "namespace": "default"},
    }
    assert doc["current-context"] == "kapply-demo"
    assert OTHER["current-context"] == "prod"  # the input is untouched


def test_tls_entries_carry_the_ca_and_the_token() -> None:
    doc = merged({}, Entry("kapply-x", "https://10.0.0.5:6443", "Q0E=", "tok"))
    assert doc["clusters"][0]["cluster"] == {
        "server": "https://10.0.0.5:6443",
        "certificate-authority-data": "Q0E=",
    }
    assert doc["users"][0]["user"] == {"token": "tok"}


def test_write_creates_then_merges_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "dir" / "config"
    write_entry(path, Entry("kapply-a", "http://127.0.0.1:1"))
    write_entry(path, Entry("kapply-b", "http://127.0.0.1:2"))
    doc = yaml.safe_load(path.read_text())
    assert [c["name"] for c in doc["contexts"]] == ["kapply-a", "kapply-b"]
    assert doc["current-context"] == "kapply-b"
    assert path.stat().st_mode & 0o777 == 0o600
    assert not list(path.parent.glob(".*tmp")) and not Path(f"{path}.lock").exists()


@pytest.mark.parametrize("text", ["- a list\n", "kind: Pod\n", "clusters: {a: b}\n", "a: [\n"])
def test_a_file_that_is_not_a_kubeconfig_is_left_alone(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config"
    path.write_text(text)
    with pytest.raises(KubeconfigError, match="not a kubeconfig"):
        write_entry(path, Entry("kapply-a", "http://127.0.0.1:1"))
    assert path.read_text() == text


def test_a_held_lock_is_waited_for_then_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kapply.serve.kubeconfig.LOCK_WAIT", 0.1)
    path = tmp_path / "config"
    Path(f"{path}.lock").write_text("")
    with pytest.raises(KubeconfigError, match="another program is writing"):
        write_entry(path, Entry("kapply-a", "http://127.0.0.1:1"))
    assert not path.exists()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"KUBECONFIG": "/a/one:/b/two"}, "/a/one"),
        ({"KUBECONFIG": ":/b/two"}, "/b/two"),
        ({}, str(Path.home() / ".kube" / "config")),
    ],
)
def test_the_file_kubectl_writes_to(env: dict[str, str], expected: str) -> None:
    assert str(default_path(env)) == expected
