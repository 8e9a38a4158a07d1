"""The HorizontalPodAutoscaler controller (pkg/controller/podautoscaler): `replicas` for the
replica calculator (replica_calculator.go), `normalize` for stabilization, policies and limits,
`metricspec` for one proposal per metric, `reconcile` for one pass (reconcileAutoscaler), and
`controller` for the 15-second queue and the memory between passes (horizontal.go)."""
