"""One name per repository, whichever URL a clone was made from.

The id of a source's inventory hashes the repository it comes from, so two clones of one
repository must name it alike: `git@github.com:Org/repo.git`, `https://user@github.com/Org/repo`
and `ssh://git@github.com/Org/repo.git/` are all `github.com/org/repo`.

The rules are Argo CD's `NormalizeGitURL` (argoproj/argo-cd util/git/git.go): trim, lowercase,
read scp-like `user@host:path` as `ssh://user@host/path`, drop a trailing `.git`. Argo CD keeps the
scheme and the user, so its https and ssh forms of one repository still differ; kapply also drops
the scheme, the user (and password) and the port, and trailing slashes, leaving `host/path`.
Like Argo CD, the path is lowercased too (GitHub, GitLab, Bitbucket and Gitea treat owner and
repository names case-insensitively). A remote that is a local path (`/srv/git/app.git`,
`file:///srv/git/app`, `../app`) names a directory of this machine: `file://<hostname>/srv/git/app`,
its case kept. Pure: the caller passes the hostname and the directory relative paths start from.
"""

from __future__ import annotations

import posixpath
import re

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def is_scp_like(url: str) -> bool:
    """git's rule: `[user@]host:path` when a colon comes before any slash (and no `://`)."""
    if "://" in url:
        return False
    colon = url.find(":")
    slash = url.find("/")
    return colon > 0 and (slash < 0 or colon < slash)


def normalize_url(url: str, *, hostname: str = "localhost", base: str = "/") -> str:
    """`host/path` for a network URL, `file://<hostname><absolute path>` for a local one.

    `base` is the directory a relative local path is read from (the repository's root).
    Raises ValueError for an empty URL or one without a host.
    """
    text = url.strip()
    if not text:
        raise ValueError("empty repository URL")
    match = _SCHEME.match(text)
    if match and match.group(1).lower() == "file":
        rest = text[match.end():]
        authority, slash, path = rest.partition("/")
        return local_identity(slash + path, hostname=authority or hostname, base=base)
    if match:
        authority, _, path = text[match.end():].partition("/")
    elif is_scp_like(text):
        authority, _, path = text.partition(":")
    else:
        return local_identity(text, hostname=hostname, base=base)
    host = _host_of(authority)
    if not host:
        raise ValueError(f"repository URL without a host: {url!r}")
    path = re.sub(r"/{2,}", "/", path).strip("/")
    if path.lower().endswith(".git"):
        path = path[:-4].rstrip("/")
    return f"{host}/{path}".lower() if path else host.lower()


def local_identity(path: str, *, hostname: str, base: str = "/") -> str:
    """`file://<hostname><absolute path>` (a trailing `.git` dropped, as git finds `x` for `x.git`)."""
    absolute = posixpath.normpath(posixpath.join(base, path))
    if absolute.endswith(".git") and absolute != "/.git":
        absolute = absolute[:-4]
    return f"file://{hostname.lower()}{absolute}"


def _host_of(authority: str) -> str:
    host = authority.rpartition("@")[2]  # user info (and a password) goes
    if host.startswith("["):  # [::1]:22
        return host[: host.find("]") + 1] if "]" in host else host
    return host.partition(":")[0]
