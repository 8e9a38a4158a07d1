"""kapply: make a Kubernetes cluster match a folder of manifests.

Data flows one way: load -> validate -> plan -> apply -> cluster. The CLI sits on top and
only parses, calls and renders.
"""

__version__ = "0.1.0"
