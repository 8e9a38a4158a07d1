"""The `Volumes:` section of `describe pod` and of pod templates (kubectl's describeVolumes).

The sources an application uses day to day (emptyDir, hostPath, configMap, secret, projected,
persistentVolumeClaim); any other source prints `<unknown>`, as kubectl does for a source it
has no printer for.
"""

from __future__ import annotations

from collections.abc import Sequence

from kapply.cli.printers.describe.writer import Obj, PrefixWriter, quantity_text


def describe_volumes(w: PrefixWriter, volumes: Sequence[Obj] | None, space: str) -> None:
    """describeVolumes: the common volume sources, `<unknown>` for the rest."""
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for vol in volumes:
        w.write(1, f"{' ' if space else ''}{vol.get('name', '')}:\n")
        if vol.get("hostPath") is not None:
            src = vol["hostPath"]
            w.write(2, "Type:\tHostPath (bare host directory volume)\n"
                       f"    Path:\t{src.get('path', '')}\n"
                       f"    HostPathType:\t{src.get('type') or '<none>'}\n")
        elif vol.get("emptyDir") is not None:
            src = vol["emptyDir"]
            size = quantity_text(src["sizeLimit"]) if src.get("sizeLimit") else "<unset>"
            w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                       f"    Medium:\t{src.get('medium', '')}\n    SizeLimit:\t{size}\n")
        elif vol.get("secret") is not None:
            src = vol["secret"]
            w.write(2, "Type:\tSecret (a volume populated by a Secret)\n"
                       f"    SecretName:\t{src.get('secretName', '')}\n"
                       f"    Optional:\t{'true' if src.get('optional') else 'false'}\n")
        elif vol.get("configMap") is not None:
            src = vol["configMap"]
            w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
                       f"    Name:\t{src.get('name', '')}\n"
                       f"    Optional:\t{'true' if src.get('optional') else 'false'}\n")
        elif vol.get("projected") is not None:
            _projected(w, vol["projected"])
        elif vol.get("persistentVolumeClaim") is not None:
            src = vol["persistentVolumeClaim"]
            w.write(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same "
                       f"namespace)\n    ClaimName:\t{src.get('claimName', '')}\n"
                       f"    ReadOnly:\t{'true' if src.get('readOnly') else 'false'}\n")
        else:
            w.write(1, "<unknown>\n")


def _projected(w: PrefixWriter, projected: Obj) -> None:
    """printProjectedVolumeSource (the kube-api-access-* volume of every real pod)."""
    w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
    for source in projected.get("sources") or ():
        if source.get("secret") is not None:
            optional = "true" if source["secret"].get("optional") else "false"
            w.write(2, f"SecretName:\t{source['secret'].get('name', '')}\n    Optional:\t{optional}\n")
        elif source.get("downwardAPI") is not None:
            w.write(2, "DownwardAPI:\ttrue\n")
        elif source.get("configMap") is not None:
            optional = "true" if source["configMap"].get("optional") else "false"
            w.write(2, f"ConfigMapName:\t{source['configMap'].get('name', '')}\n    Optional:\t{optional}\n")
        elif source.get("serviceAccountToken") is not None:
            seconds = int(source["serviceAccountToken"].get("expirationSeconds") or 3600)
            w.write(2, f"TokenExpirationSeconds:\t{seconds}\n")
