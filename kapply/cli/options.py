"""Options shared by many commands, declared once so they read the same everywhere."""

from __future__ import annotations

import typer

from kapply.cli.completers import complete_clusters, complete_namespaces, complete_outputs, complete_resources

CLUSTER = typer.Option("default", "--cluster", envvar="KAPPLY_CLUSTER", autocompletion=complete_clusters,
                       help="Embedded cluster to use (state in $KAPPLY_HOME/<name>.db).")
NAMESPACE = typer.Option(None, "--namespace", "-n", help="Namespace (default: default).",
                         autocompletion=complete_namespaces)
ALL_NAMESPACES = typer.Option(False, "--all-namespaces", "-A", help="Across all namespaces.")
SELECTOR = typer.Option(None, "--selector", "-l", help="Label selector, e.g. app=web,tier!=db.")
INVENTORY = typer.Option(None, "--inventory",
                         help="Inventory id (default: derived from the source's repository and paths; "
                              "needed to record and prune what standard input applies).")
SKIP_UNKNOWN = typer.Option(False, "--skip-unknown", help="Unknown kinds are warnings, not errors.")
SCHEMA_DIR = typer.Option([], "--schema-dir", help="Extra JSON Schemas (CRDs); repeatable.")
ALLOW_EMPTY = typer.Option(False, "--allow-empty", help="Allow pruning everything when the source is empty.")
SAME_SOURCE = typer.Option(False, "--same-source",
                           help="The inventory's recorded source is this one, moved or renamed: record "
                                "this one.")
PATHS = typer.Argument(None, help="Files or folders of manifests (a folder with a kustomization is "
                       "rendered by kustomize); - for stdin.", show_default=False)
FILENAMES = typer.Option([], "--filename", "-f", help="A file or folder of manifests, as kubectl's -f; "
                         "repeatable.", show_default=False)
KUSTOMIZE = typer.Option([], "--kustomize", "-k", help="A kustomization folder, as kubectl's -k.",
                         show_default=False)
RESOURCES_HELP = "KIND [NAME...], KIND/NAME..., or KIND,KIND."
OUTPUT_COMPLETION = complete_outputs
RESOURCE_COMPLETION = complete_resources
