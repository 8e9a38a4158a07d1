"""Benchmark of the loading stage: generated manifests -> LoadResult, one JSON line on stdout.

Generates 2,000 files / 10,000 documents (Deployments, Services, ConfigMaps of realistic size,
60-120 lines each) in a temporary folder, loads them with `load_paths`, and reports documents per
second, wall and CPU time (this process plus its parsing workers), and the peak resident memory of
the process (ru_maxrss). Then asks one position
per document (the worst case for the lazy position lookup) and reports that too.

    .venv/bin/python tests/bench/bench_load.py [--files N] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from kapply.load.loader import load_paths

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  namespace: team-{ns}
  labels:
    app: web-{i}
    tier: frontend
    app.kubernetes.io/name: web
    app.kubernetes.io/part-of: shop
  annotations:
    example.com/owner: "team-{ns}"
    example.com/created: 2024-01-01
spec:
  replicas: 3
  revisionHistoryLimit: 5
  progressDeadlineSeconds: 600
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  selector:
    matchLabels:
      app: web-{i}
  template:
    metadata:
      labels:
        app: web-{i}
        tier: frontend
    spec:
      serviceAccountName: web
      terminationGracePeriodSeconds: 30
      nodeSelector:
        kubernetes.io/os: linux
      containers:
      - name: web
        image: registry.example.com/shop/web:v1.{i}
        imagePullPolicy: IfNotPresent
        args: ["--port=8080", "--log-level=info"]
        ports:
        - name: http
          containerPort: 8080
          protocol: TCP
        - name: metrics
          containerPort: 9090
        env:
        - name: LOG_LEVEL
          value: info
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: DB_HOST
          valueFrom:
            configMapKeyRef:
              name: db-config
              key: host
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
          limits:
            cpu: 500m
            memory: 256Mi
        readinessProbe:
          httpGet:
            path: /healthz
            port: http
          initialDelaySeconds: 5
          periodSeconds: 10
        livenessProbe:
          httpGet:
            path: /livez
            port: 8080
          failureThreshold: 3
        volumeMounts:
        - name: config
          mountPath: /etc/web
          readOnly: true
      - name: sidecar
        image: busybox:1.36
        command: ["sh", "-c", "tail -f /dev/null"]
        resources:
          requests:
            cpu: 10m
            memory: 16Mi
      volumes:
      - name: config
        configMap:
          name: web-config
"""
SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: web-{i}
  namespace: team-{ns}
  labels:
    app: web-{i}
    app.kubernetes.io/name: web
    app.kubernetes.io/part-of: shop
  annotations:
    example.com/owner: "team-{ns}"
spec:
  type: NodePort
  selector:
    app: web-{i}
    tier: frontend
  sessionAffinity: None
  ports:
  - name: http
    port: 80
    targetPort: http
    nodePort: 30080
    protocol: TCP
  - name: metrics
    port: 9090
    targetPort: 9090
    protocol: TCP
  - name: admin
    port: 8081
    targetPort: 8081
    protocol: TCP
"""
CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config-{i}
  namespace: team-{ns}
  labels:
    app: web-{i}
data:
  host: db.example.com
  port: "5432"
  LOG_LEVEL: info
  FEATURE_FLAGS: "a,b,c"
  config.yaml: |
    server:
      port: 8080
      timeout: 30s
      workers: 4
    database:
      host: db.example.com
      port: 5432
      pool: 10
    features:
      - search
      - checkout
      - recommendations
    logging:
      level: info
      format: json
"""
TEMPLATES = [DEPLOYMENT, SERVICE, DEPLOYMENT, CONFIGMAP, DEPLOYMENT]


def generate(folder: Path, files: int) -> int:
    """Write `files` files of five documents each; returns the number of documents."""
    count = 0
    for f in range(files):
        sub = folder / f"team-{f % 20:02d}"
        sub.mkdir(exist_ok=True)
        documents = []
        for template in TEMPLATES:
            documents.append(template.format(i=count, ns=count % 7))
            count += 1
        (sub / f"app-{f:04d}.yaml").write_text("---\n".join(documents))
    return count


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the parsing workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        expected = generate(folder, args.files)
        start, cpu_start = time.perf_counter(), _cpu_seconds()
        result = load_paths([str(folder)], workers=args.workers)
        elapsed, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
        if len(result.documents) != expected or result.issues:
            sys.exit(f"loaded {len(result.documents)} of {expected} documents; issues: {result.issues[:3]}")
        start = time.perf_counter()
        for document in result.documents:
            document.position(("spec", "template", "spec", "containers", 0, "image"))
        position_time = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({
            "benchmark": "load",
            "files": args.files,
            "documents": expected,
            "seconds": round(elapsed, 3),
            "documents_per_second": round(expected / elapsed),
            "cpu_seconds": round(cpu, 3),
            "peak_rss_mb": round(peak_mb, 1),
            "position_every_document_seconds": round(position_time, 3),
        }))


if __name__ == "__main__":
    main()
