"""Repository URLs normalised so every clone of one repository names it alike.

The first table is Argo CD's `TestSameURL` (argoproj/argo-cd util/git/git_test.go): each pair names
one repository there, and must here too. kapply's own cases follow: https and ssh clones agree,
users, passwords and ports go, local remotes name a directory of this machine.
"""

from __future__ import annotations

import pytest

from kapply.load.giturl import is_scp_like, normalize_url

ARGO_SAME_URL = [
    ("git@GITHUB.com:argoproj/test", "git@github.com:argoproj/test.git"),
    ("git@GITHUB.com:argoproj/test.git", "git@github.com:argoproj/test.git"),
    ("git@GITHUB.com:test", "git@github.com:test.git"),
    ("git@GITHUB.com:test.git", "git@github.com:test.git"),
    ("https://GITHUB.com/argoproj/test", "https://github.com/argoproj/test.git"),
    ("https://GITHUB.com/argoproj/test.git", "https://github.com/argoproj/test.git"),
    ("https://github.com/FOO", "https://github.com/foo"),
    ("https://github.com/TEST", "https://github.com/TEST.git"),
    ("https://github.com/TEST.git", "https://github.com/TEST.git"),
    ("https://github.com:4443/TEST", "https://github.com:4443/TEST.git"),
    ("https://github.com:4443/TEST.git", "https://github.com:4443/TEST"),
    ("ssh://git@GITHUB.com/argoproj/test", "git@github.com:argoproj/test.git"),
    ("ssh://git@GITHUB.com/argoproj/test.git", "git@github.com:argoproj/test.git"),
    ("ssh://git@GITHUB.com/test.git", "git@github.com:test.git"),
    ("ssh://git@github.com/test", "git@github.com:test.git"),
    (" https://github.com/argoproj/test ", "https://github.com/argoproj/test.git"),
    ("\thttps://github.com/argoproj/test\n", "https://github.com/argoproj/test.git"),
    ("https://1234.visualstudio.com/myproj/_git/myrepo", "https://1234.visualstudio.com/myproj/_git/myrepo"),
    ("https://dev.azure.com/1234/myproj/_git/myrepo", "https://dev.azure.com/1234/myproj/_git/myrepo"),
]


@pytest.mark.parametrize(("left", "right"), ARGO_SAME_URL)
def test_argo_cd_same_url_table(left: str, right: str) -> None:
    assert normalize_url(left) == normalize_url(right)


@pytest.mark.parametrize(("url", "expected"), [
    # the brief's three spellings of one repository
    ("git@github.com:Org/repo.git", "github.com/org/repo"),
    ("https://user@github.com/Org/repo", "github.com/org/repo"),
    ("ssh://git@github.com/Org/repo.git/", "github.com/org/repo"),
    # users, passwords, ports and schemes go; https and ssh of one server agree
    ("https://x-access-token:ghs_secret@github.com/org/repo.git", "github.com/org/repo"),
    ("ssh://git@gitlab.example.com:2222/group/sub/app.git", "gitlab.example.com/group/sub/app"),
    ("https://gitlab.example.com/group/sub/app", "gitlab.example.com/group/sub/app"),
    ("git://git.kernel.org/pub/scm/git/git.git", "git.kernel.org/pub/scm/git/git"),
    ("http://GIT.Example.COM//a//b.git//", "git.example.com/a/b"),
    ("github.com:org/repo.git", "github.com/org/repo"),  # scp-like without a user
    ("ssh://[::1]:22/srv/repo.git", "[::1]/srv/repo"),
    ("https://example.com", "example.com"),
    # local remotes: a directory of this machine, case kept
    ("/srv/git/App.git", "file://build-7/srv/git/App"),
    ("file:///srv/git/App.git", "file://build-7/srv/git/App"),
    ("file://otherhost/srv/git/app", "file://otherhost/srv/git/app"),
    ("../upstream", "file://build-7/work/upstream"),
    ("./a:b", "file://build-7/work/repo/a:b"),  # a slash before the colon: a path, not scp-like
])
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url, hostname="Build-7", base="/work/repo") == expected


@pytest.mark.parametrize("url", ["", "   ", "https:///no-host", "ssh://git@/repo"])
def test_urls_without_a_repository_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        normalize_url(url)


@pytest.mark.parametrize(("url", "scp"), [
    ("git@github.com:org/repo", True), ("host:path", True), ("host:", True),
    ("./host:path", False), ("/abs:path", False), ("https://host/x", False), (":x", False),
])
def test_scp_like_follows_gits_rule(url: str, scp: bool) -> None:
    assert is_scp_like(url) is scp
