"""The paths a source command reads: positional, kubectl's `-f PATH` (repeatable) and `-k DIR`.

Positional paths and `-f` mean the same (a file, a folder, `-`), and a folder holding a
kustomization is rendered either way; `-k DIR` insists that DIR is a kustomization. As in
kubectl, `-k` does not mix with `-f`, and something must be named.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from kapply.errors import UsageError


def source_paths(positional: Sequence[str] | None, filenames: Sequence[str],
                 kustomize: Sequence[str]) -> list[str]:
    """The paths to load, in the order given; UsageError for kubectl's usage mistakes."""
    from kapply.load.kustomization import MISSING, kustomization_file

    files = [*(positional or ()), *filenames]
    if files and kustomize:
        raise UsageError("only one of -f or -k can be specified")
    if not files and not kustomize:
        raise UsageError("must specify one of -f and -k (or name files or folders)")
    for folder in kustomize:
        if not os.path.isdir(folder) or kustomization_file(folder) is None:
            raise UsageError(MISSING.format(os.path.abspath(folder)))
    return files or list(kustomize)
