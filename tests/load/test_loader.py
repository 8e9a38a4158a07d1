"""Command-line paths -> LoadResult: folder walking, stdin, symlinks, limits, parallel parsing."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from kapply.cli.exits import ExitStatus, exit_status
from kapply.errors import LoadError
from kapply.load import loader
from kapply.load.document import Position
from kapply.load.loader import load_paths

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _names(result: loader.LoadResult) -> list[str]:
    return [d.obj["metadata"]["name"] for d in result.documents]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_folder_walk_is_recursive_sorted_and_filtered(in_tmp: Path) -> None:
    for name in [
        "m/b.yaml", "m/a/z.yml", "m/a/b.json", "m/c/d/deep.YAML",
        "m/notes.txt", "m/.hidden.yaml", "m/.git/config.yaml", "m/x.yaml~", "m/#x.yaml#",
        "m/.x.yaml.swp", "m/.#x.yaml", "m/.cache/deep/y.yaml",
    ]:
        _write(in_tmp / name, POD.format(name=Path(name).stem.strip(".#~")))
    (in_tmp / "m/a/b.json").write_text('{"kind": "Pod", "metadata": {"name": "b-json"}}')
    result = load_paths(["m"])
    assert result.files == ["m/a/b.json", "m/a/z.yml", "m/b.yaml", "m/c/d/deep.YAML"]
    assert _names(result) == ["b-json", "z", "b", "deep"]
    assert result.issues == []


def test_explicit_files_are_read_whatever_their_extension(in_tmp: Path) -> None:
    _write(in_tmp / "pod.txt", POD.format(name="txt"))
    _write(in_tmp / ".hidden", POD.format(name="hidden"))
    result = load_paths(["pod.txt", "./.hidden"])
    assert result.files == ["pod.txt", ".hidden"]
    assert _names(result) == ["txt", "hidden"]


def test_paths_keep_command_line_order_and_are_read_once(in_tmp: Path) -> None:
    _write(in_tmp / "m/a.yaml", POD.format(name="a"))
    _write(in_tmp / "z.yaml", POD.format(name="z"))
    result = load_paths(["z.yaml", "m", "m/a.yaml", "z.yaml"])
    assert result.files == ["z.yaml", "m/a.yaml"]
    assert _names(result) == ["z", "a"]


def test_missing_path_is_a_load_error(in_tmp: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_paths(["nope/"])
    assert str(caught.value) == "path not found: nope/"
    assert exit_status(caught.value) == ExitStatus.ERROR


def test_absolute_paths_under_the_working_directory_display_relative(in_tmp: Path, tmp_path_factory) -> None:
    _write(in_tmp / "m/a.yaml", POD.format(name="a"))
    assert load_paths([str(in_tmp / "m")]).files == ["m/a.yaml"]
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    _write(elsewhere / "b.yaml", POD.format(name="b"))
    assert load_paths([str(elsewhere)]).files == [str(elsewhere / "b.yaml")]


def test_symlinks_leaving_the_folder_are_skipped_with_a_warning(in_tmp: Path) -> None:
    _write(in_tmp / "outside/secret.yaml", POD.format(name="secret"))
    _write(in_tmp / "m/real/app.yaml", POD.format(name="app"))
    os.symlink(in_tmp / "outside/secret.yaml", in_tmp / "m/leak.yaml")
    os.symlink(in_tmp / "outside", in_tmp / "m/leakdir")
    os.symlink("real/app.yaml", in_tmp / "m/zz-inside.yaml")  # inside: followed, but read only once
    os.symlink(in_tmp / "m", in_tmp / "m/real/loop")  # a loop back to the root: walked once
    os.symlink(in_tmp / "missing.yaml", in_tmp / "m/broken.yaml")
    result = load_paths(["m"])
    assert _names(result) == ["app"]
    assert result.files == ["m/real/app.yaml"]
    assert [(i.file, i.rule, i.severity) for i in result.issues] == [
        ("m/broken.yaml", "symlink", "warning"),
        ("m/leak.yaml", "symlink", "warning"),
        ("m/leakdir", "symlink", "warning"),
    ]
    assert "leads outside m" in result.issues[1].message


def test_a_symlinked_folder_named_on_the_command_line_is_followed(in_tmp: Path) -> None:
    _write(in_tmp / "real/app.yaml", POD.format(name="app"))
    os.symlink(in_tmp / "real", in_tmp / "link")
    result = load_paths(["link"])
    assert result.files == ["link/app.yaml"]
    assert result.issues == []


def test_stdin_is_read_once_and_positions_work(in_tmp: Path) -> None:
    _write(in_tmp / "a.yaml", POD.format(name="a"))
    stdin = io.StringIO("---\n" + POD.format(name="from-stdin"))
    result = load_paths(["-", "a.yaml", "-"], stdin=stdin)
    assert result.files == ["<stdin>", "a.yaml"]
    assert _names(result) == ["from-stdin", "a"]
    assert result.documents[0].position(("metadata", "name")) == Position("<stdin>", 5, 9)


def test_stdin_bytes_are_accepted() -> None:
    result = load_paths(["-"], stdin=io.BytesIO(POD.format(name="b").encode()))
    assert _names(result) == ["b"]


def test_a_bad_file_does_not_hide_the_others(in_tmp: Path) -> None:
    _write(in_tmp / "m/a.yaml", POD.format(name="a"))
    _write(in_tmp / "m/b.yaml", "metadata:\n  name: [\n")
    _write(in_tmp / "m/c.yaml", POD.format(name="c"))
    result = load_paths(["m"])
    assert _names(result) == ["a", "c"]
    assert [(i.file, i.rule) for i in result.issues] == [("m/b.yaml", "yaml-syntax")]
    assert result.files == ["m/a.yaml", "m/b.yaml", "m/c.yaml"]


def test_files_over_the_limit_are_not_read(in_tmp: Path) -> None:
    with open(in_tmp / "huge.yaml", "wb") as handle:
        handle.truncate(loader.FILE_LIMIT + 1)  # sparse: costs no disk and is never read
    _write(in_tmp / "ok.yaml", POD.format(name="ok"))
    result = load_paths(["huge.yaml", "ok.yaml"])
    assert _names(result) == ["ok"]
    assert [(i.file, i.rule) for i in result.issues] == [("huge.yaml", "yaml-size-limit")]
    assert "32.0 MiB limit" in result.issues[0].message
    assert result.files == ["ok.yaml"]


def test_streams_over_the_limit_are_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "FILE_LIMIT", 100)
    result = load_paths(["-"], stdin=io.StringIO("a: b\n" * 100))
    assert result.documents == []
    assert [i.rule for i in result.issues] == ["yaml-size-limit"]


def test_unreadable_file_is_an_io_issue(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(in_tmp / "a.yaml", POD.format(name="a"))
    _write(in_tmp / "b.yaml", POD.format(name="b"))

    def refuse(path: str, *args: object, **kwargs: object) -> object:
        if path.endswith("a.yaml"):
            raise PermissionError(13, "Permission denied")
        return open(path, *args, **kwargs)

    monkeypatch.setattr(loader, "open", refuse, raising=False)
    result = load_paths(["a.yaml", "b.yaml"])
    assert _names(result) == ["b"]
    assert [(i.file, i.rule, i.message) for i in result.issues] == [
        ("a.yaml", "io", "cannot read file: Permission denied")
    ]


def test_parallel_parsing_gives_the_same_result(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(30):
        docs = [POD.format(name=f"p{i}-{j}") for j in range(3)]
        text = "---\n".join(docs) if i != 7 else "kind: [\n"
        _write(in_tmp / f"m/{i % 4}/f{i:02d}.yaml", text)
    monkeypatch.setattr(loader, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(loader, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(loader, "_can_fork", lambda: True)  # even if another test left a thread running
    serial = load_paths(["m"], workers=1)
    real_map_chunks = loader.map_chunks
    calls: list[tuple[int, int]] = []

    def recording_map_chunks(work, chunks, processes):  # type: ignore[no-untyped-def]
        calls.append((len(chunks), processes))
        return real_map_chunks(work, chunks, processes)

    monkeypatch.setattr(loader, "map_chunks", recording_map_chunks)
    parallel = load_paths(["m"], workers=3)
    assert calls == [(24, 3)]
    assert len(serial.documents) == 29 * 3
    assert [(d.file, d.doc_index, d.obj) for d in parallel.documents] == [
        (d.file, d.doc_index, d.obj) for d in serial.documents
    ]
    assert parallel.issues == serial.issues
    assert parallel.files == serial.files
    path = ("metadata", "name")
    assert [d.position(path) for d in parallel.documents] == [d.position(path) for d in serial.documents]
