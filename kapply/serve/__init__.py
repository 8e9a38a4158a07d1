"""`kapply serve`: the embedded cluster behind a Kubernetes-compatible HTTP API.

Above the cluster layer, which it reaches only through the `Cluster` protocol and the abilities
named in `kapply.cluster.protocol`. Modules by job: `server` (lifecycle), `app` (routes),
`worker` (the one thread owning the cluster, driving it in real time), `hub` (watch fan-out),
`routing`, `negotiate`, `status`, `bodies`, `crud`, `patching`, `subresources`, `watch`,
`tables`, `discovery`, `kubeconfig`, `tls`.
"""
