"""Generate realistic manifest folders for the benchmarks (deterministic for a given seed).

Documents look like what people keep in git: Deployments with probes, resources and env,
Services, ConfigMaps, bare Pods and ReplicationControllers, several documents per file.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path


def deployment(i: int, image_tag: str = "v1") -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: default
  labels:
    app.kubernetes.io/name: app-{i}
    app.kubernetes.io/part-of: shop
    tier: backend
  annotations:
    team: payments
spec:
  replicas: {1 + i % 3}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: app-{i}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-{i}
        tier: backend
    spec:
      containers:
        - name: app
          image: registry.example.com/shop/app-{i}:{image_tag}
          imagePullPolicy: IfNotPresent
          args: ["--port=8080", "--log-level=info"]
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          env:
            - name: LOG_FORMAT
              value: json
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: CONFIG
              valueFrom:
                configMapKeyRef:
                  name: app-{i}-config
                  key: settings.json
          resources:
            requests:
              cpu: 100m
              memory: 64Mi
            limits:
              cpu: 500m
              memory: 256Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: 2
            periodSeconds: 5
          livenessProbe:
            tcpSocket:
              port: 8080
            initialDelaySeconds: 10
          volumeMounts:
            - name: config
              mountPath: /etc/app
              readOnly: true
      volumes:
        - name: config
          configMap:
            name: app-{i}-config
"""


def service(i: int) -> str:
    kind = ("ClusterIP", "NodePort", "LoadBalancer")[i % 3]
    return f"""apiVersion: v1
kind: Service
metadata:
  name: app-{i}
  labels:
    app.kubernetes.io/name: app-{i}
spec:
  type: {kind}
  selector:
    app.kubernetes.io/name: app-{i}
  ports:
    - name: http
      port: 80
      targetPort: http
      protocol: TCP
"""


def configmap(i: int) -> str:
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: app-{i}-config
  labels:
    app.kubernetes.io/name: app-{i}
data:
  settings.json: |
    {{"feature": true, "shard": {i}, "endpoint": "http://app-{i}.default.svc:80"}}
  LOG_LEVEL: info
"""


def pod(i: int) -> str:
    return f"""apiVersion: v1
kind: Pod
metadata:
  name: job-{i}
  labels:
    app: job-{i}
spec:
  restartPolicy: Never
  containers:
    - name: main
      image: busybox:1.36
      command: ["sh", "-c", "echo hello && sleep 5"]
      resources:
        requests:
          cpu: 50m
          memory: 32Mi
"""


def replication_controller(i: int) -> str:
    return f"""apiVersion: v1
kind: ReplicationController
metadata:
  name: legacy-{i}
spec:
  replicas: 2
  selector:
    app: legacy-{i}
  template:
    metadata:
      labels:
        app: legacy-{i}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
"""


def validate_corpus(root: Path, files: int = 2000, docs_per_file: int = 5, seed: int = 1) -> int:
    """2,000 files x 5 documents of mixed kinds; returns the number of documents."""
    rng = random.Random(seed)
    makers = (deployment, service, configmap, pod, replication_controller)
    n = 0
    for f in range(files):
        sub = root / f"team-{f % 20}"
        sub.mkdir(parents=True, exist_ok=True)
        docs = []
        for _ in range(docs_per_file):
            docs.append(rng.choice(makers)(n))
            n += 1
        (sub / f"file-{f}.yaml").write_text("---\n".join(docs))
    return n


def app_folder(root: Path, objects: int = 1000, image_tag: str = "v1") -> int:
    """`objects` objects, a third each of Deployments, Services and ConfigMaps, one file per app."""
    root.mkdir(parents=True, exist_ok=True)
    apps = objects // 3
    for i in range(apps):
        docs = [configmap(i), service(i), deployment(i, image_tag)]
        (root / f"app-{i}.yaml").write_text("---\n".join(docs))
    extra = objects - 3 * apps
    for j in range(extra):
        (root / f"extra-{j}.yaml").write_text(configmap(apps + j))
    return objects


if __name__ == "__main__":
    target = Path(sys.argv[1])
    print(validate_corpus(target))
