"""Backups of the embedded mode: the whole data directory (chDB's files, PostgreSQL's cluster, Redis's
append-only file, the generated secret) as one gzipped tar, taken while Fieldmark is stopped, so that
every store is consistent with the others. Servers are backed up with their own tools
(docs/self-hosting.md)."""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fieldmark.bootstrap.settings import ConfigError

_SKIPPED_SUFFIXES = (".lock", ".sock", ".pid")


@contextmanager
def _stopped(data_dir: Path) -> Iterator[None]:
    """Holds the chDB lock that a running Fieldmark holds, so nothing starts meanwhile."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / ".clickhouse.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(
                "FIELDMARK_DATA_DIR", f"Fieldmark is running on {data_dir}: stop it first"
            ) from None
        yield


def _kept(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    name = info.name.rsplit("/", 1)[-1]
    if (
        name.endswith(_SKIPPED_SUFFIXES)
        or name == "postmaster.pid"
        or not (info.isfile() or info.isdir() or info.issym())
    ):
        return None
    return info


def backup(data_dir: Path, target: Path) -> int:
    """Writes the archive; returns its size in bytes."""
    with _stopped(data_dir):
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            for entry in sorted(data_dir.iterdir()):
                if not stat.S_ISSOCK(entry.lstat().st_mode):
                    archive.add(entry, arcname=entry.name, filter=_kept)
        os.replace(partial, target)
    return target.stat().st_size


def restore(archive_path: Path, data_dir: Path, *, force: bool = False) -> None:
    """Replaces the data directory's contents with the archive's. Refuses a directory that holds data
    unless `force`."""
    if not archive_path.is_file():
        raise ConfigError("backup", f"{archive_path} is not a file")
    with _stopped(data_dir):
        present = [p for p in data_dir.iterdir() if p.name != ".clickhouse.lock"]
        if present and not force:
            raise ConfigError(
                "FIELDMARK_DATA_DIR",
                f"{data_dir} holds data: restore into an empty directory, or pass --force",
            )
        for entry in present:
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        with tarfile.open(archive_path, "r:gz") as archive:
            # The "tar" filter keeps owners (PostgreSQL's files belong to the user it runs as when
            # Fieldmark runs as root) and still refuses absolute paths and paths out of the directory.
            archive.extractall(data_dir, filter="tar")
        postgres = data_dir / "postgres"
        if postgres.is_dir():
            postgres.chmod(0o700)  # PostgreSQL refuses a cluster others may read
