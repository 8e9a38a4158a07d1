"""The DaemonSet controller (pkg/controller/daemon): `eligibility` decides which nodes run a
daemon pod (daemon_controller.go NodeShouldRunDaemonPod, util/daemonset_util.go), `update` the
rolling update (update.go), `controller` the sync, history and status around them."""
