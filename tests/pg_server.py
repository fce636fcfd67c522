"""A throwaway PostgreSQL server for the store's tests: initdb + pg_ctl in a temporary folder.

Set ``KELOMPOK_TEST_POSTGRES_URL`` to use a server of your own instead. The
server listens on 127.0.0.1 only, runs as a user that is not root (``postgres``
when the tests run as root) and is stopped, and its folder removed, at the end.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

ENV = "KELOMPOK_TEST_POSTGRES_URL"
HOW = (
    "The store's tests run on PostgreSQL too. Install its server (Debian: "
    "`apt-get install postgresql`), or set KELOMPOK_TEST_POSTGRES_URL to a database "
    "of a server you run, or leave these tests out with `-m 'not postgres'`."
)


def _binaries() -> Path | None:
    for name in ("initdb", "pg_ctl"):
        found = shutil.which(name)
        if found:
            return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user() -> tuple[list[str], str, int, int]:
    """The command prefix that runs the server as a user that is not root, and that user."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return [], me.pw_name, me.pw_uid, me.pw_gid
    user = pwd.getpwnam("postgres")  # made by the Debian package
    return ["runuser", "-u", "postgres", "--"], "postgres", user.pw_uid, user.pw_gid


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """The URL of a database on a running PostgreSQL server, for the duration of the block."""
    given = os.environ.get(ENV)
    if given:
        yield given
        return
    bin_dir = _binaries()
    if bin_dir is None:
        raise RuntimeError(HOW)
    prefix, user, uid, gid = _as_user()
    folder = Path(tempfile.mkdtemp(prefix="kelompok-pg-"))
    os.chown(folder, uid, gid)
    data, port = folder / "data", _free_port()

    def run(*args: str) -> None:
        done = subprocess.run(  # noqa: S603 -- PostgreSQL's own programs
            [*prefix, *args], check=False, capture_output=True, text=True
        )
        if done.returncode:
            said = (done.stderr or done.stdout).strip().splitlines()[-5:]
            msg = f"{Path(args[0]).name} failed ({done.returncode}): " + " | ".join(said)
            raise RuntimeError(msg)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "--no-sync")
        options = f"-h 127.0.0.1 -p {port} -k {folder} -F -c fsync=off"
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
            str(folder / "log"), "start")  # fmt: skip
        try:
            yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/postgres"
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def new_database(server: str, name: str) -> Iterator[str]:
    """The URL of a new, empty database *name* on *server*, dropped at the end of the block."""
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
