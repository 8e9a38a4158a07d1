"""Rendering a kustomization with the real kustomize: the `kustomize` binary or `kubectl kustomize`.

No Python implementation of kustomize exists, and a partial one would render differently from
`kubectl apply -k` and Flux. So kapply runs whichever renderer is on PATH (`find_renderer`: the
standalone `kustomize build` first, else kubectl's built-in `kubectl kustomize`), with a time
limit (`RENDER_TIMEOUT`, env `KAPPLY_KUSTOMIZE_TIMEOUT`), and never a shell.

To know which file each rendered object came from, the kustomization is rendered through a
wrapper kustomization in a temporary folder: it lists the user's folder as its only resource and
asks for `buildMetadata: [originAnnotations]`, so kustomize annotates each object with the file
it was read from (or the kustomization that generated it). The wrapper adds no transformation,
and directories may be referenced from outside a kustomization's root under kustomize's default
load restrictions, so the output is the user's own, plus the annotation, which `rendered.py`
reads and removes. If the wrapper fails, the folder is rendered directly: a failure then is the
renderer's own message about the user's files, turned into a diagnostic at the kustomization's
file:line where kustomize names one (`locate_error`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from kapply.load.kustomization import kustomization_file, line_of

RENDER_TIMEOUT = 60.0
TIMEOUT_ENV = "KAPPLY_KUSTOMIZE_TIMEOUT"
ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
_KLOG = re.compile(r'^[EWIF]\d{4} [\d:.]+\s+\d+ [\w./-]+:\d+\] "command failed" err=(".*")\s*$', re.DOTALL)


@dataclass(frozen=True)
class Renderer:
    """A kustomize on PATH: `name` as users know it, `argv` to run before the folder."""

    name: str
    argv: tuple[str, ...]


class RenderError(Exception):
    """The renderer refused the kustomization, timed out, or could not be run."""

    def __init__(self, message: str, file: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line


def find_renderer(path: str | None = None) -> Renderer | None:
    """`kustomize build` if a `kustomize` binary is on PATH, else `kubectl kustomize`, else None."""
    kustomize = shutil.which("kustomize", path=path)
    if kustomize:
        return Renderer("kustomize", (kustomize, "build"))
    kubectl = shutil.which("kubectl", path=path)
    if kubectl:
        return Renderer("kubectl kustomize", (kubectl, "kustomize"))
    return None


def timeout() -> float:
    """The render time limit in seconds (`KAPPLY_KUSTOMIZE_TIMEOUT`, default 60)."""
    raw = os.environ.get(TIMEOUT_ENV)
    try:
        value = float(raw) if raw else RENDER_TIMEOUT
    except ValueError:
        return RENDER_TIMEOUT
    return value if value > 0 else RENDER_TIMEOUT


def render(folder: str, renderer: Renderer | None = None) -> tuple[bytes, str | None]:
    """The folder's kustomization rendered: (YAML, the folder its origin annotations are relative
    to, or None when it carries none).

    Raises RenderError with the renderer's message placed at the kustomization's file:line.
    """
    own = kustomization_file(folder)
    assert own is not None, folder
    renderer = renderer or find_renderer()
    if renderer is None:
        raise RenderError("cannot render this kustomization: neither `kustomize` nor `kubectl` "
                          "(for `kubectl kustomize`) is on PATH; install one of them", own)
    with tempfile.TemporaryDirectory(prefix="kapply-kustomize-") as wrapper:
        target = os.path.relpath(os.path.realpath(folder), wrapper)
        with open(os.path.join(wrapper, "kustomization.yaml"), "w", encoding="utf-8") as handle:
            handle.write("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                         f"resources:\n- {_quoted(target)}\nbuildMetadata: [originAnnotations]\n")
        code, out, _ = _run(renderer, wrapper, own)
        if code == 0:
            return out, wrapper
    code, out, err = _run(renderer, folder, own)
    if code == 0:
        return out, None
    message = clean_error(err.decode("utf-8", "replace")) or f"exited with status {code}"
    file, line = locate_error(message, folder)
    raise RenderError(f"{renderer.name}: {message}", file, line)


def _quoted(text: str) -> str:
    import json

    return json.dumps(text)


def _run(renderer: Renderer, folder: str, own: str) -> tuple[int, bytes, bytes]:
    limit = timeout()
    try:
        proc = subprocess.run([*renderer.argv, folder], capture_output=True, timeout=limit,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(f"{renderer.name} did not finish within {limit:g}s (the limit is set by "
                          f"{TIMEOUT_ENV})", own) from None
    except OSError as exc:
        raise RenderError(f"cannot run {renderer.name}: {exc.strerror or exc}", own) from None
    return proc.returncode, proc.stdout, proc.stderr


def clean_error(stderr: str) -> str:
    """The renderer's error without its wrapping: kubectl's klog line or kustomize's `Error: `."""
    text = stderr.strip()
    lines = [line for line in text.splitlines() if line.strip()]
    for line in lines:
        match = _KLOG.match(line)
        if match:
            import json

            try:
                return str(json.loads(match.group(1)))
            except ValueError:
                return match.group(1).strip('"')
    for line in lines:
        if line.startswith("Error: "):
            return line[len("Error: "):]
    return " ".join(lines)


def locate_error(message: str, folder: str) -> tuple[str, int]:
    """The file and line a kustomize error is about: the innermost entry or file it names.

    kustomize nests its messages (`accumulating resources from '../base': ... recursed
    accumulation of path '/abs/base': ... accumulating resources from 'x.yaml': ...`); each
    `recursed accumulation of path` moves into a base, each `accumulating resources from` names
    an entry of that base's kustomization, `in File: f` with `yaml: line N` a file's line, and
    `unknown field "f"` a key of the kustomization itself.
    """
    root = os.path.realpath(folder)
    entry: str | None = None
    for match in re.finditer(r"recursed accumulation of path '([^']+)'|"
                             r"accumulating resources from '((?:[^']|'(?!:))+)'", message):
        if match.group(1):
            root, entry = match.group(1), None
        else:
            entry = match.group(2)
    own = kustomization_file(root) or kustomization_file(folder) or os.path.join(folder, "kustomization.yaml")
    from kapply.load.walk import display_path

    line = _yaml_line(message)
    in_file = re.search(r"in File: (\S+)", message)
    if in_file:
        return display_path(os.path.join(root, in_file.group(1))), line or 1
    if entry is not None:
        return display_path(own), line_of(own, entry) or 1
    unknown = re.search(r'unknown field \\?"([^"\\]+)\\?"', message)
    if unknown:
        return display_path(own), line_of(own, unknown.group(1)) or 1
    return display_path(own), line or 1


def _yaml_line(message: str) -> int | None:
    found = re.search(r"yaml: line (\d+)", message)
    return int(found.group(1)) if found else None
