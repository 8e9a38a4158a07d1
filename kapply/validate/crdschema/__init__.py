"""A CustomResourceDefinition's structural schema at work, as the apiextensions server runs it on
every custom resource: unknown fields pruned (`prune`), defaults applied (`defaulting`), the value
validated with kube-openapi's messages (`openapi`) and the CEL rules (`cel`); `structural` checks
that a CRD's schema is structural at all. `resource.admit` runs them in the API server's order.

Pure functions on decoded JSON (dicts, lists, str, int, float, bool, None), shared by the
embedded cluster's admission and `kapply validate`.
"""
