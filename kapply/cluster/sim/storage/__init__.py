"""Storage in the embedded cluster: the facts the PersistentVolume controller, the provisioner,
the scheduler's volume binding and the admission plugins share (`helpers`), the admission
plugins DefaultStorageClass and StorageObjectInUseProtection (`admission`), and the default
StorageClass a cluster is created with (`classes`)."""
