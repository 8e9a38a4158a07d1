"""The Job controller (pkg/controller/job): `indexed` for completionMode Indexed
(indexed_job_utils.go), `backoff` for the pod failure back-off (backoff_utils.go), `failurepolicy`
for podFailurePolicy (pod_failure_policy.go), `conditions` for the terminal conditions and their
reasons, `controller` for the sync (job_controller.go) and the TTL after it finished."""
