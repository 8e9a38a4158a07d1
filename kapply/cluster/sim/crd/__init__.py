"""CustomResourceDefinitions in the embedded cluster (what a CRD serves: `kapply.model.crd`),
its structural schema (`schema`), the checks a CRD and its custom resources pass (`admission`) and
the controllers that establish a CRD and clean up after it (`controllers`)."""
