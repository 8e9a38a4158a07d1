"""`kapply scale` and `kapply delete` through the real command: kubectl's lines, errors and effects."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from hello_cluster import Run, advance, hello_cluster, pod_names


def _ready(run_cli: Run, column: int = 1) -> str:
    """READY (or another column) of `kapply get deploy hello-node`."""
    return run_cli("get", "deploy", "hello-node", "--cluster", "demo").stdout.splitlines()[1].split()[column]


def test_scale_up_and_down(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("scale", "deploy/hello-node", "--replicas", "5", "--cluster", "demo")
    assert (res.exit_code, res.stdout) == (0, "deployment.apps/hello-node scaled\n")
    advance(run_cli, "30s")
    assert _ready(run_cli) == "5/5"
    res = run_cli("scale", "deployment", "hello-node", "--replicas", "1", "--current-replicas", "5",
                  "--cluster", "demo")
    assert res.stdout == "deployment.apps/hello-node scaled\n"
    advance(run_cli, "1m")
    assert _ready(run_cli) == "1/1"
    assert len(pod_names(run_cli)) == 1


def test_scale_precondition_and_errors(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("scale", "deploy/hello-node", "--replicas", "2", "--current-replicas", "4",
                  "--cluster", "demo")
    assert (res.exit_code, res.stdout, res.stderr) == (1, "", "error: Expected replicas to be 4, was 3\n")
    advance(run_cli, "30s")
    assert _ready(run_cli) == "3/3"  # nothing changed
    res = run_cli("scale", "deploy/nope", "--replicas", "2", "--cluster", "demo")
    assert res.exit_code == 1
    assert res.stderr == 'Error from server (NotFound): deployments.apps "nope" not found\n'
    res = run_cli("scale", "deploy/hello-node", "--cluster", "demo")
    assert res.exit_code == 2
    assert "--replicas=COUNT flag is required" in res.stderr
    pod = pod_names(run_cli)[0]
    res = run_cli("scale", f"pod/{pod}", "--replicas", "2", "--cluster", "demo")
    assert res.exit_code == 1
    assert res.stderr == "Error from server (NotFound): the server could not find the requested resource\n"


def test_scale_replica_sets_by_selector(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("scale", "rs", "-l", "app=hello-node", "--replicas", "3", "--cluster", "demo")
    assert res.exit_code == 0
    assert res.stdout.startswith("replicaset.apps/hello-node-") and res.stdout.endswith(" scaled\n")
    res = run_cli("scale", "rs", "-l", "app=nothing", "--replicas", "3", "--cluster", "demo")
    assert (res.exit_code, res.stderr) == (0, "No resources found\n")


def test_delete_pod_is_replaced_after_its_grace_period(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    victim = pod_names(run_cli)[0]
    res = run_cli("delete", "pod", victim, "--cluster", "demo")
    assert (res.exit_code, res.stdout) == (0, f'pod "{victim}" deleted from default namespace\n')
    table = run_cli("get", "pods", "--cluster", "demo").stdout
    assert f"{victim}   1/1     Terminating" in table
    advance(run_cli, "40s")
    names = pod_names(run_cli)
    assert victim not in names and len(names) == 3


def test_delete_deployment_removes_its_pods(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("delete", "deploy/nope", "deployment/hello-node", "--cluster", "demo")
    assert res.exit_code == 1
    assert res.stdout == 'deployment.apps "hello-node" deleted from default namespace\n'
    assert res.stderr == 'Error from server (NotFound): deployments.apps "nope" not found\n'
    advance(run_cli, "1m")
    assert pod_names(run_cli) == []
    assert run_cli("get", "rs", "--cluster", "demo").stderr == "No resources found in default namespace.\n"


def test_delete_from_files_and_force(run_cli: Run, tmp_path: Path) -> None:
    folder = hello_cluster(run_cli, tmp_path)
    res = run_cli("delete", "pods", "-l", "app=hello-node", "--grace-period", "0", "--force",
                  "--cluster", "demo")
    assert res.exit_code == 0
    assert res.stderr.startswith("Warning: Immediate deletion does not wait for confirmation")
    assert res.stdout.count(" force deleted from default namespace\n") == 3
    res = run_cli("delete", "-f", str(folder), "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines() == ['deployment.apps "hello-node" deleted from default namespace',
                                       'service "hello-node" deleted from default namespace']
    res = run_cli("delete", "-f", str(folder / "service.yaml"), "--cluster", "demo")
    assert res.exit_code == 1
    assert res.stderr == (f'Error from server (NotFound): error when deleting "{folder / "service.yaml"}": '
                          'services "hello-node" not found\n')
    res = run_cli("delete", "-f", str(folder), "--ignore-not-found", "--cluster", "demo")
    assert (res.exit_code, res.stdout, res.stderr) == (0, "", "")


def test_delete_usage_errors(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("delete", "pods", "--cluster", "demo")
    assert (res.exit_code, res.stderr) == (2, "error: resource(s) were provided, but no name was specified\n")
    res = run_cli("delete", "--cluster", "demo")
    assert res.stderr == "error: You must provide one or more resources by argument or filename.\n"
    res = run_cli("delete", "deploy", "hello-node", "-o", "yaml", "--cluster", "demo")
    assert res.exit_code == 2 and "allowed formats are: name" in res.stderr
    res = run_cli("delete", "pods", "--all", "-n", "kube-public", "--cluster", "demo")
    assert (res.exit_code, res.stderr) == (0, "No resources found\n")
    # kubectl refuses --all with a selector rather than deleting everything
    res = run_cli("delete", "pods", "--all", "-l", "app=none", "--cluster", "demo")
    assert (res.exit_code, res.stderr) == (2, "error: cannot set --all and --selector at the same time\n")
    assert len(pod_names(run_cli)) == 3


def test_delete_namespace_and_name_output(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("delete", "svc", "hello-node", "-o", "name", "--cluster", "demo")
    assert res.stdout == "service/hello-node\n"
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")
    assert run_cli("apply", str(shop), "--cluster", "demo").exit_code == 0
    res = run_cli("delete", "ns", "shop", "kube-public", "--cluster", "demo")
    assert (res.exit_code, res.stdout) == (1, 'namespace "shop" deleted\n')
    assert res.stderr == ('Error from server (Forbidden): namespaces "kube-public" is forbidden: '
                          "this namespace may not be deleted\n")


def test_delete_by_selector_across_namespaces(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("delete", "svc", "-l", "nothing=here", "-A", "--cluster", "demo")
    assert (res.exit_code, res.stderr) == (0, "No resources found\n")
    res = run_cli("delete", "deploy", "--all", "-A", "--cluster", "demo")
    assert res.stdout == 'deployment.apps "hello-node" deleted from default namespace\n'


def test_scale_beyond_int32_is_refused_by_the_api_server(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("scale", "deploy/hello-node", "--replicas", "3000000000", "--cluster", "demo")
    assert (res.exit_code, res.stdout) == (1, "")
    assert res.stderr == ('Error from server (BadRequest): Deployment in version "v1" cannot be handled as a '
                          "Deployment: json: cannot unmarshal number 3000000000 into Go struct field "
                          "DeploymentSpec.spec.replicas of type int32\n")
    assert _ready(run_cli) == "3/3"
    res = run_cli("scale", "deploy/hello-node", "--replicas=-4", "--cluster", "demo")
    assert res.exit_code == 2 and "COUNT must be greater than or equal to 0" in res.stderr


def test_scale_to_the_largest_count_returns_and_pods_come_in_steps(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("scale", "deploy/hello-node", "--replicas", "2147483647", "--cluster", "demo")
    assert (res.exit_code, res.stdout) == (0, "deployment.apps/hello-node scaled\n")
    assert _ready(run_cli, column=2) == "33"  # the 3 there were, then one client burst of 30
    advance(run_cli, "3s")
    assert _ready(run_cli, column=2) == "93"  # 20 pods a second
    pending = [line for line in run_cli("get", "pods", "--cluster", "demo").stdout.splitlines()
               if " Pending " in line]
    assert pending  # three nodes are full: the rest wait, as in Kubernetes
    events = run_cli("events", "--cluster", "demo", "--types", "Warning").stdout
    assert "FailedScheduling" in events and "Insufficient" in events
