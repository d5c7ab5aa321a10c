"""A throwaway PostgreSQL server for the test session, started as the `postgres` user.

initdb and pg_ctl refuse to run as root, so as root we run them through `runuser`.
fsync is off: the tests need PostgreSQL's semantics, not its durability.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time

BIN = "/usr/lib/postgresql/15/bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PostgresServer:
    def __init__(self):
        if not os.path.exists(f"{BIN}/initdb"):
            raise RuntimeError(f"PostgreSQL 15 is not installed under {BIN} (make test installs it)")
        self.dir = tempfile.mkdtemp(prefix="comeback-pg-")
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data = os.path.join(self.dir, "data")
        subprocess.run(
            _as_postgres(
                [f"{BIN}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
            ),
            check=True,
            capture_output=True,
        )
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_postgres(
                [f"{BIN}/pg_ctl", "-D", data, "-o", options, "-l", os.path.join(self.dir, "log"), "-w", "start"]
            ),
            check=True,
            capture_output=True,
        )
        self.data = data

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(_as_postgres([f"{BIN}/pg_ctl", "-D", self.data, "-m", "immediate", "stop"]), capture_output=True)
        for _ in range(20):
            try:
                shutil.rmtree(self.dir)
                return
            except OSError:
                time.sleep(0.1)
