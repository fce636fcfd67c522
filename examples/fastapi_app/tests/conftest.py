"""Fixtures: the app on a fresh SQLite file, in-process or behind a real uvicorn server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

HERE = Path(__file__).parent.parent
sys.path.insert(0, str(HERE))  # `import app`, as uvicorn's --app-dir does

from app import create_app  # noqa: E402


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(f"sqlite:///{tmp_path / 'groups.db'}")) as client:
        yield client


@pytest.fixture
def server(tmp_path):
    """The base URL of ``uvicorn --factory app:create_app``, as the README runs it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uvicorn = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "app:create_app",
        "--app-dir",
        str(HERE),
    ]
    options = ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    env = {**os.environ, "KELOMPOK_DB": str(tmp_path / "groups.db")}
    command = [*uvicorn, *options]
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) as process:  # noqa: S603
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/openapi.json", timeout=1).close()  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        else:
            process.kill()
            pytest.fail(f"uvicorn did not start: {process.communicate()[1]}")
        yield url
        process.terminate()
        process.communicate(timeout=10)
