"""Bytes that are not UTF-8: read as Backstage reads them (U+FFFD), with a warning per line."""

from __future__ import annotations

from pathlib import Path

from catalog.processing import process_file

ENTITY = (
    b"apiVersion: backstage.io/v1alpha1\n"
    b"kind: Component\n"
    b"metadata:\n"
    b"  name: latin1\n"
    b"  description: caf\xe9\n"  # line 5: Latin-1, not UTF-8
    b"spec:\n"
    b"  type: service\n"
    b"  lifecycle: production\n"
    b"  owner: team-a\n"
    b"  note: \xff\xfe ok \xe2\x82\n"  # line 10: three bad sequences, one warning
)


def test_invalid_utf8_is_replaced_and_warned_about_by_line(tmp_path: Path) -> None:
    result = process_file(ENTITY, path=tmp_path / "catalog-info.yaml", roots=[tmp_path])
    assert result.ok
    (entity,) = result.entities
    assert entity.entity["metadata"]["description"] == "caf\ufffd"
    assert entity.entity["spec"]["note"] == "\ufffd\ufffd ok \ufffd"
    assert [(w.line, w.message) for w in result.warnings] == [
        (5, "invalid UTF-8 (byte 0xe9) replaced by U+FFFD, as Backstage reads it"),
        (10, "invalid UTF-8 (byte 0xff) replaced by U+FFFD, as Backstage reads it"),
    ]


def test_many_bad_lines_are_summarised(tmp_path: Path) -> None:
    data = ENTITY + b"".join(b"# \xe9\n" for _ in range(8))
    result = process_file(data, path=tmp_path / "c.yaml", roots=[tmp_path])
    assert result.ok
    assert len(result.warnings) == 6
    assert result.warnings[-1].message == "invalid UTF-8 on 5 more lines"
    assert result.warnings[-1].line == 14


def test_valid_utf8_has_no_warning(tmp_path: Path) -> None:
    data = ENTITY.replace(b"caf\xe9", "café".encode()).replace(b"\xff\xfe ok \xe2\x82", b"x")
    result = process_file(data, path=tmp_path / "c.yaml", roots=[tmp_path])
    assert result.ok and result.warnings == []


def test_catalog_check_prints_the_warning_with_its_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    (tmp_path / "catalog-info.yaml").write_bytes(ENTITY)
    result = CliRunner().invoke(app, ["catalog", "check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (
        "warning: catalog-info.yaml:5: invalid UTF-8 (byte 0xe9) replaced by U+FFFD, "
        "as Backstage reads it" in result.output
    )
