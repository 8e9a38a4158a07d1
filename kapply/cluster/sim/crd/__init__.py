"""CustomResourceDefinitions in the embedded cluster: what an established CRD serves (`names`),
its structural schema (`schema`), the checks a CRD and its custom resources pass (`admission`) and
the controllers that establish a CRD and clean up after it (`controllers`)."""
