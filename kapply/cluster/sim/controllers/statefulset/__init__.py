"""The StatefulSet controller (pkg/controller/statefulset): `identity` holds the pure rules of
stable names, ordinals, storage and retention (stateful_set_utils.go), `control` the update
loop (stateful_set_control.go, stateful_pod_control.go), `controller` the sync around it."""
