"""What the embedded cluster's controllers share, kept apart from the controllers themselves
(`kapply.cluster.sim.controllers`): the pod status machine (`podstatus`, `containerrun`), fit and
taints for the scheduler and the DaemonSet controller (`schedfit`, `taints`, `volumebinding`), the
ref manager's adoption and release (`refmanager`), pod ranking and utilities (`podrank`,
`podutil`, `podtemplate`, `replicaindex`, `slowstart`), controller revisions (`history`) and the
Endpoints subsets (`endpointsubsets`). Helpers hold no state and register nothing: a controller
imports what it needs."""
