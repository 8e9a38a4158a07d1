"""`kapply describe` through the real command on a running cluster."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from hello_cluster import Run, advance, hello_cluster, pod_names


def test_describe_deployment_shows_replicas_rs_and_scaling_events(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("describe", "deployment", "hello-node", "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    out = res.stdout
    assert out.startswith("Name:                   hello-node\nNamespace:              default\n")
    assert "Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable\n" in out
    assert "RollingUpdateStrategy:  25% max unavailable, 25% max surge\n" in out
    assert re.search(r"NewReplicaSet:   hello-node-[a-z0-9]+ \(3/3 replicas created\)\n", out)
    assert "OldReplicaSets:  <none>\n" in out
    assert re.search(r"  Normal  ScalingReplicaSet  30s   deployment-controller  "
                     r"Scaled up replica set hello-node-[a-z0-9]+ from 0 to 3\n", out)
    # same page through the KIND/NAME form and a short name
    assert run_cli("describe", "deploy/hello-node", "--cluster", "demo").stdout == out


def test_describe_pods_by_name_prefix(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("describe", "pods", "hello-node", "--cluster", "demo")
    assert res.exit_code == 0, res.stderr
    pages = res.stdout.split("\n\n\nName:")
    assert len(pages) == 3
    for name in pod_names(run_cli):
        assert f"Name:             {name}\n" in res.stdout
    first = res.stdout.split("\n\n")[0]
    assert "Status:           Running\n" in first
    assert re.search(r"Node:             minikube(-m0[23])?/192\.168\.49\.\d\n", first)
    assert re.search(r"Controlled By:  ReplicaSet/hello-node-[a-z0-9]+\n", first)
    assert "    State:          Running\n" in first
    assert re.search(r"  Normal  Scheduled  30s   default-scheduler  "
                     r"Successfully assigned default/hello-node-\S+ to minikube", first)


def test_describe_missing_object_is_kubectls_not_found(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("describe", "deploy/nope", "svc/hello-node", "--cluster", "demo")
    assert res.exit_code == 1
    assert res.stderr == 'Error from server (NotFound): deployments.apps "nope" not found\n'
    assert res.stdout.startswith("Name:                     hello-node\n")
    assert "Type:                     LoadBalancer\n" in res.stdout
    assert re.search(r"NodePort:                 <unset>  3\d{4}/TCP\n", res.stdout)


def test_describe_node_lists_its_pods_and_allocations(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    pages = [run_cli("describe", "node", name, "--cluster", "demo").stdout
             for name in ("minikube", "minikube-m02", "minikube-m03")]
    total = 0
    for page in pages:
        found = re.search(r"Non-terminated Pods:\s+\((\d+) in total\)", page)
        assert found is not None
        count = int(found.group(1))
        total += count
        assert len(re.findall(r"\n  default\s+hello-node-", page)) == count
        assert "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n" \
            in page
        # 250m requested per pod out of 4 CPUs
        requested = f"{count * 250}m ({count * 250 * 100 // 4000}%)" if count else "0 (0%)"
        assert re.search(rf"\n  cpu\s+{re.escape(requested)}\s", page)
    assert total == 3


def test_describe_without_events_and_empty_namespace(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    res = run_cli("describe", "deploy", "hello-node", "--no-show-events", "--cluster", "demo")
    assert "Events" not in res.stdout
    res = run_cli("describe", "ingresses", "--cluster", "demo")
    assert res.exit_code == 0
    assert res.stderr == "No resources found in default namespace.\n"


def test_describe_follows_time(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    advance(run_cli, "5m")
    res = run_cli("describe", "rs", "--cluster", "demo")
    assert "Pods Status:    3 Running / 0 Waiting / 0 Succeeded / 0 Failed\n" in res.stdout
    assert re.search(r"  Normal  SuccessfulCreate  5m30s  replicaset-controller  Created pod: hello-node-",
                     res.stdout)


def test_describe_pending_pod_shows_the_scheduler_warning(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    huge = tmp_path / "huge"
    huge.mkdir()
    (huge / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: huge\nspec:\n  containers:\n  - name: app\n"
        "    image: hello-node:v1\n    resources:\n      requests: {cpu: '64'}\n")
    assert run_cli("apply", str(huge), "--cluster", "demo").exit_code == 0
    advance(run_cli, "10s")
    res = run_cli("describe", "pod", "huge", "--cluster", "demo")
    assert "Node:             <none>\n" in res.stdout
    assert "Status:           Pending\n" in res.stdout
    assert "  PodScheduled   False \n" in res.stdout
    assert re.search(r"  Warning  FailedScheduling  \d+s\s+default-scheduler  0/3 nodes are available: "
                     r"3 Insufficient cpu\. preemption: 0/3 nodes are available: 3 No preemption victims "
                     r"found for incoming pod\.", res.stdout)


def test_name_prefixes_only_in_the_two_argument_form(run_cli: Run, tmp_path: Path) -> None:
    hello_cluster(run_cli, tmp_path)
    assert run_cli("describe", "deploy", "hello", "--cluster", "demo").stdout.startswith(
        "Name:                   hello-node\n")
    res = run_cli("describe", "deploy", "hello", "hello-node", "--cluster", "demo")
    assert res.exit_code == 1
    assert res.stderr == 'Error from server (NotFound): deployments.apps "hello" not found\n'
    assert res.stdout.startswith("Name:                   hello-node\n")
