#!/usr/bin/env bash
# Runs the README walkthrough on a fresh KAPPLY_HOME and prints each step as markdown
# (`$ command` then its real output), so the README shows what kapply really prints.
# Usage: scripts/walkthrough.sh > /tmp/walkthrough.md   (from the repository root)
set -u
export KAPPLY_HOME="$(mktemp -d)"
export NO_COLOR=1 COLUMNS=100
work="$(mktemp -d)"
cp -r manifests "$work/manifests"
cp -r examples "$work/examples"
K="$(dirname "$(command -v python3)")/kapply"
[ -x .venv/bin/kapply ] && K="$PWD/.venv/bin/kapply"
cd "$work"
step() { echo; echo '```console'; echo "\$ $*"; eval "${*/kapply/$K}" 2>&1; echo '```'; }
say() { echo; echo "$*"; }

say "### 1. A cluster and the app"
say "A three-node cluster with a load-balancer pool (like \`minikube tunnel\` or MetalLB), then the app:"
step kapply cluster create demo --nodes 3 --lb-pool 192.168.49.100-192.168.49.120
export KAPPLY_CLUSTER=demo
echo; echo '```console'; echo '$ export KAPPLY_CLUSTER=demo   # or pass --cluster demo to each command'; echo '```'
step kapply apply manifests/ --wait
say "### 2. Look around"
step kapply get deployments
step kapply get pods -o wide
step kapply get services
step kapply describe deployment hello-node
step kapply service url hello-node
pod=$("$K" get pods -o name | head -1)
step kapply logs "${pod#pod/}"
say "### 3. Scale by editing the YAML"
step "sed -i 's/replicas: 1/replicas: 4/' manifests/deployment.yaml"
step kapply diff manifests/
step kapply apply manifests/ --wait
say "### 4. A new version: a rolling update"
step "sed -i 's/hello-node:v1/hello-node:v2/' manifests/deployment.yaml"
step kapply apply manifests/
step kapply rollout status deployment/hello-node
step kapply rollout history deployment/hello-node
step kapply get rs
step "kapply events --for deployment/hello-node"
say "### 5. A bad image, and undo"
step kapply image fail hello-node:v3 --reason ErrImagePull
step "sed -i 's/hello-node:v2/hello-node:v3/' manifests/deployment.yaml"
step kapply apply manifests/ --wait --timeout 30s
step kapply get pods
step kapply rollout undo deployment/hello-node
step kapply rollout status deployment/hello-node
step "sed -i 's/hello-node:v3/hello-node:v2/' manifests/deployment.yaml"
say "### 6. Remove the Service: prune"
step rm manifests/service.yaml
step kapply diff manifests/ --prune
step kapply apply manifests/ --prune
say "### 7. A node fails"
# the node of a pod that is not already terminating (a Terminating pod's node may end up empty)
node=$("$K" get pods -o json | python3 -c 'import json,sys; print(next(p["spec"]["nodeName"] for p in json.load(sys.stdin)["items"] if not p["metadata"].get("deletionTimestamp")))')
step kapply node fail "$node"
step kapply cluster advance 60s
step kapply get nodes
step kapply cluster advance 5m
step kapply get pods -o wide
say "The evicted pods are replaced on the healthy nodes at once; a minute later their grace period is over:"
step kapply cluster advance 1m
step kapply get pods -o wide
say "### 8. A StatefulSet"
say "Stable names, one at a time in order, and a claim per pod that outlives it (\`examples/web-statefulset.yaml\`):"
step kapply apply examples/web-statefulset.yaml --wait
step kapply get statefulsets
step kapply get pods -l app=web
step kapply get pvc
step "sed -i 's/nginx:1.27/nginx:1.28/' examples/web-statefulset.yaml"
step kapply apply examples/web-statefulset.yaml
step kapply rollout status statefulset/web
step kapply rollout history statefulset/web
step kapply scale statefulset web --replicas 1
step kapply cluster advance 2m
step kapply get pods,pvc -l app=web
say "### 9. A Job and a CronJob"
say "A Job's containers exit 0 after a default run time (\`cluster create --job-duration\`, 5 s); \`kapply image run\` sets it per image:"
step kapply image run perl:5.34 --duration 20s
step kapply apply examples/pi-job.yaml --wait
step kapply get jobs
step kapply cluster advance 30s
step kapply get jobs
step kapply get pods -l batch.kubernetes.io/job-name=pi
step kapply describe job pi
say "A CronJob runs each due schedule as time passes (\`examples/hello-cronjob.yaml\`):"
step kapply apply examples/hello-cronjob.yaml
step kapply cluster advance 1h
step kapply get cronjobs
step kapply get jobs
step "kapply events --for cronjob/hello"
say "### 10. Autoscaling"
say "The php-apache app of Kubernetes' HorizontalPodAutoscaler walkthrough (\`examples/php-apache.yaml\`): an autoscaler keeps each pod's CPU at 50% of its 200m request. Nothing is measured: \`kapply load set\` says what the pods use, here 1 CPU in all, shared by the Deployment's ready pods (\`--total\`; without it the figure is each pod's):"
step kapply apply examples/php-apache.yaml --wait
step kapply get hpa
step kapply load set deployment/php-apache --cpu 1 --total
step kapply cluster advance 30s
step kapply get hpa php-apache
step kapply top pods -l run=php-apache
say "One pod alone is throttled at its 500m limit: 250% of its request, so the autoscaler asks for five times as many pods, at most four per pass. Each pass (every 15 s) measures again:"
step kapply cluster advance 1m
step kapply get hpa php-apache
step kapply describe hpa php-apache
say "Without the load it scales back down, once the 5-minute scale-down stabilization window has passed:"
step kapply load clear deployment/php-apache
step kapply cluster advance 6m
step kapply get hpa php-apache
step "kapply events --for hpa/php-apache"
say "### 11. A custom resource"
say "The CronTab CustomResourceDefinition of the Kubernetes documentation (\`examples/crontab/\`): one folder holds the CRD and a CronTab, and one run applies both, the CRD first, the CronTab once the CRD is Established. The CronTab is checked against the CRD's schema (the pattern of \`cronSpec\`, \`replicas\` between 1 and 10, defaulted to 1); nothing in the cluster acts on it, and \`--wait\` says so at once:"
step kapply apply examples/crontab/ --wait
step kapply get crontabs
step kapply get ct my-new-cron-object -o yaml
say "A bad one is found before anything is written, in the file, by the same schema:"
step "printf 'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: every-minute\nspec:\n  cronSpec: every minute\n  replicas: 20\n' > examples/crontab/bad.yaml"
step kapply validate examples/crontab/
step rm examples/crontab/bad.yaml
say "Deleting the CRD deletes its custom resources, then the CRD:"
step kapply delete crd crontabs.stable.example.com
step kapply get crontabs
