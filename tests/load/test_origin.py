"""A run's source: repository identity (remote, root commit, path) and paths within the repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kapply.load import origin as origin_module
from kapply.load.origin import STDIN, Location, Origin, origin_of, remote_url, repository_identity


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_GLOBAL": "/dev/null"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def repo(path: Path, *remotes: tuple[str, str]) -> Path:
    (path / "k8s").mkdir(parents=True)
    git(path, "init", "-q")
    for name, url in remotes:
        git(path, "remote", "add", name, url)
    return path


@pytest.mark.parametrize(("config", "url"), [
    ('[remote "origin"]\n\turl = git@github.com:org/a.git\n', "git@github.com:org/a.git"),
    ('[remote "upstream"]\n\turl = https://x/up\n[remote "origin"]\n\turl = https://x/mine\n', "https://x/mine"),
    ('[remote "upstream"]\n\turl = https://x/up\n[remote "fork"]\n\turl = https://x/fork\n', "https://x/up"),
    ('[core]\n\tbare = false\n', None),
    ('[remote "origin"]\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n', None),
    ('[remote.origin]\n  url = https://old/style\n', "https://old/style"),  # the legacy spelling
    ('[Remote "origin"]\n  URL = "https://quoted/repo" ; a comment\n', "https://quoted/repo"),
    ('[remote "origin"] url = https://same/line\n', "https://same/line"),
    ('[remote "origin"]\n  url = https://a/\\\nb\n', "https://a/b"),  # a continued line
    ('# [remote "origin"]\n[remote "origin"]\n  url = https://x/y # comment\n  url = https://x/second\n',
     "https://x/y"),
    ('[remote "or\\"igin"]\n  url = https://escaped/name\n', "https://escaped/name"),
])
def test_remote_url_from_git_config(config: str, url: str | None) -> None:
    assert remote_url(config) == url


def test_https_and_ssh_clones_of_one_repository_give_one_source(tmp_path: Path) -> None:
    laptop = repo(tmp_path / "laptop" / "app", ("origin", "git@github.com:Org/App.git"))
    runner = repo(tmp_path / "ci" / "build-17", ("origin", "https://token@github.com/org/app"))
    a, b = origin_of([str(laptop / "k8s")]), origin_of([str(runner / "k8s") + "/"])
    assert a == b == Origin.of([Location("github.com/org/app", "k8s")])
    assert a.display() == "github.com/org/app: k8s"


def test_two_repositories_with_the_same_folder_give_two_sources(tmp_path: Path) -> None:
    a = repo(tmp_path / "a", ("origin", "https://github.com/team/a"))
    b = repo(tmp_path / "b", ("origin", "https://github.com/team/b"))
    assert origin_of([str(a / "k8s")]) != origin_of([str(b / "k8s")])


def test_paths_are_relative_to_the_root_sorted_and_deduplicated(tmp_path: Path) -> None:
    root = repo(tmp_path / "r", ("origin", "https://h/r"))
    (root / "k8s" / "app.yaml").write_text("")
    (root / "base").mkdir()
    src = origin_of([str(root / "k8s" / "app.yaml"), str(root / "base"), str(root / "base"), str(root)])
    assert [loc.path for loc in src.locations] == [".", "base", "k8s/app.yaml"]
    assert src.local_paths(dict(src.roots)) is not None


def test_a_worktree_reads_the_common_config(tmp_path: Path) -> None:
    main = repo(tmp_path / "main", ("origin", "git@github.com:org/wt.git"))
    (main / "k8s" / "x.yaml").write_text("a: 1\n")
    git(main, "add", ".")
    git(main, "commit", "-qm", "x")
    git(main, "worktree", "add", "-q", str(tmp_path / "feature"))
    assert (tmp_path / "feature" / ".git").is_file()  # `gitdir: .../worktrees/feature`, then commondir
    assert origin_of([str(tmp_path / "feature" / "k8s")]) == origin_of([str(main / "k8s")])


def test_a_git_file_pointing_at_a_separate_git_dir(tmp_path: Path) -> None:
    store = tmp_path / "modules" / "sub"
    store.mkdir(parents=True)
    (store / "config").write_text('[remote "origin"]\n\turl = https://github.com/org/sub.git\n')
    work = tmp_path / "super" / "sub"
    (work / "k8s").mkdir(parents=True)
    (work / ".git").write_text(f"gitdir: {os.path.relpath(store, work)}\n")  # as a submodule has it
    assert origin_of([str(work / "k8s")]).locations == (Location("github.com/org/sub", "k8s"),)


def test_without_a_remote_the_root_commit_names_the_repository(tmp_path: Path) -> None:
    root = repo(tmp_path / "local")
    (root / "k8s" / "a.yaml").write_text("a: 1\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    first = git(root, "rev-list", "--max-parents=0", "HEAD")
    git(root, "commit", "-qm", "second", "--allow-empty")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(root), str(clone))
    git(clone, "remote", "remove", "origin")
    assert origin_of([str(root / "k8s")]).locations == (Location(f"commit:{first}", "k8s"),)
    assert origin_of([str(clone / "k8s")]) == origin_of([str(root / "k8s")])


def test_no_commit_or_no_git_falls_back_to_the_directory(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path / "fresh")  # `git init`, nothing committed
    monkeypatch.setattr(origin_module, "_hostname", lambda: "box")
    origin_module._identity.cache_clear()
    assert repository_identity(str(root)) == f"file://box{root}"
    plain = tmp_path / "plain" / "manifests"
    plain.mkdir(parents=True)
    assert origin_of([str(plain)]).locations == (Location("file://box", str(plain)),)
    assert origin_of([str(plain)]).display() == f"file://box{plain}"


def test_a_missing_git_binary_is_the_next_rule_not_an_error(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path / "nogit")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    origin_module._identity.cache_clear()
    assert repository_identity(str(root)).startswith("file://")


def test_the_common_case_runs_no_git_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path / "r", ("origin", "https://github.com/org/fast"))
    origin_module._identity.cache_clear()

    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError("a remote is read from the config, without running git")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    assert origin_of([str(root / "k8s")]).locations[0].repository == "github.com/org/fast"


def test_an_edited_remote_is_read_again(tmp_path: Path) -> None:
    root = repo(tmp_path / "r", ("origin", "https://github.com/org/old"))
    assert origin_of([str(root)]).locations[0].repository == "github.com/org/old"
    git(root, "remote", "set-url", "origin", "https://github.com/org/renamed")
    config = root / ".git" / "config"
    os.utime(config, ns=(config.stat().st_atime_ns, config.stat().st_mtime_ns + 1_000_000))
    assert origin_of([str(root)]).locations[0].repository == "github.com/org/renamed"


def test_stdin_and_containment() -> None:
    src = origin_of(["-"])
    assert src.reads_stdin and src.locations == (STDIN,) and src.display() == "standard input"
    folder = Origin.of([Location("h/r", "k8s")])
    assert Origin.of([Location("h/r", "k8s/app.yaml")]).within(folder)
    assert Origin.of([Location("h/r", "k8s")]).within(folder)
    assert not Origin.of([Location("h/r", "k8s2/app.yaml")]).within(folder)  # not a prefix match
    assert not Origin.of([Location("h/other", "k8s/app.yaml")]).within(folder)
    assert Origin.of([Location("h/r", "anything")]).within(Origin.of([Location("h/r", ".")]))
    assert Origin.from_json(folder.to_json()) == folder
    for bad in ([], {}, [{"repository": 1, "path": "x"}], ["x"]):
        with pytest.raises(ValueError):
            Origin.from_json(bad)
