"""Which file a failure belongs to, so the watch can set that file aside and go on.

A plan or an apply covers many files at once. When one raises, `find` runs the same step again
(plan, or a dry-run apply) one file at a time, and inside a failing file one object at a time,
to name the file, the object and its line. When every file fails alike, the failure is no one
file's (a broken cluster, a corrupt inventory): `find` returns None and the error stands.
Keys no file holds (prunes) form one more group, `PRUNES`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from kapply.apply.applier import ApplyFailedError
from kapply.errors import KapplyError, PruneRefusedError
from kapply.model.keys import ResourceKey
from kapply.watch.bugs import internal_error

PRUNES = ""  # the group of keys no file holds

Probe = Callable[[set[ResourceKey]], object]  # its result is ignored; raising is the answer


@dataclass
class Failure:
    keys: set[ResourceKey] = field(default_factory=set)  # the file's keys in the step that failed
    found: dict[ResourceKey, str] = field(default_factory=dict)  # objects that fail alone, and why
    message: str = ""  # the error of the file's part as a whole

    @property
    def text(self) -> str:
        if len(self.found) == 1:
            return next(iter(self.found.values()))
        return "; ".join(f"{k.ref}: {m}" for k, m in sorted(self.found.items())) or self.message


Origin = Mapping[ResourceKey, tuple[str, int]]  # key -> (file, line)


def group(keys: Collection[ResourceKey], origin: Origin) -> dict[str, set[ResourceKey]]:
    """The keys by the file that holds them (PRUNES: none does)."""
    groups: dict[str, set[ResourceKey]] = {}
    for key in keys:
        groups.setdefault(origin[key][0] if key in origin else PRUNES, set()).add(key)
    return groups


def refused(failures: dict[str, Failure], path: str, key: ResourceKey, message: str) -> None:
    """Record an object the API server refuses (known without probing)."""
    failure = failures.setdefault(path, Failure())
    failure.keys.add(key)
    failure.found[key] = message


def find(keys: Collection[ResourceKey], origin: Origin, probe: Probe,
         stage: str) -> dict[str, Failure] | None:
    """The files (and objects) for which `probe` fails; None when every file fails alike."""
    groups = group(keys, origin)
    failures: dict[str, Failure] = {}
    for path, part in sorted(groups.items()):
        message = _attempt(probe, part, stage)
        if message is None:
            continue
        found = {}
        for key in sorted(part) if len(part) > 1 else ():
            alone = _attempt(probe, {key}, stage)
            if alone is not None:
                found[key] = alone
        if not found and len(part) == 1:
            found = {next(iter(part)): message}
        failures[path] = Failure(part, found, message)
    if len(groups) > 1 and len(failures) == len(groups):
        return None
    return failures


def _attempt(probe: Probe, keys: set[ResourceKey], stage: str) -> str | None:
    try:
        probe(keys)
    except ApplyFailedError as refusal:
        if len({o.change.key for o in refusal.refused}) == 1:
            return "; ".join(o.message for o in refusal.refused)
        return "; ".join(f"{o.change.key.ref}: {o.message}" for o in refusal.refused) or str(refusal)
    except PruneRefusedError:
        raise
    except KapplyError as error:
        return str(error)
    except Exception as error:
        return internal_error(stage, error)
    return None
