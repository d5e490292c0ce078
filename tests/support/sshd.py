"""A real OpenSSH server on loopback for the SFTP tests (Debian's ``openssh-server``).

The fixture generates a host key and a client key (``cryptography``), writes an ``sshd_config``
(127.0.0.1, a free port, ``Subsystem sftp internal-sftp``, its own ``AuthorizedKeysFile`` and
``PidFile``, ``StrictModes no``, no PAM, keys only) and runs ``/usr/sbin/sshd -D -e -f cfg`` as the
current user. As root sshd needs its privilege-separation folder ``/run/sshd``: it is created.

Import the fixture into a test module: ``from tests.support.sshd import sshd  # noqa: F401``.
For a walk by hand: ``python -m tests.support.sshd FOLDER`` starts one and prints how to reach it.
"""

from __future__ import annotations

import getpass
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.support.smtp import free_port

SSHD = Path("/usr/sbin/sshd")
PASSPHRASE = "frase-da-chave-SFTP"


def write_key(path: Path, passphrase: str | None = None) -> str:
    """A new Ed25519 key in OpenSSH format at ``path`` (0600); returns its public line."""
    key = ed25519.Ed25519PrivateKey.generate()
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    )
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption))
    os.chmod(path, 0o600)
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return public.decode()


@dataclass
class Sshd:
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    user: str = field(default_factory=getpass.getuser)

    host = "127.0.0.1"

    @property
    def host_key(self) -> Path:
        return self.folder / "ssh_host_ed25519_key"

    @property
    def client_key(self) -> Path:
        """Authorized: the key pec-tui is configured with."""
        return self.folder / "cliente_ed25519"

    @property
    def locked_key(self) -> Path:
        """Authorized too, protected by :data:`PASSPHRASE`."""
        return self.folder / "cliente_com_frase"

    @property
    def stranger_key(self) -> Path:
        """Not authorized."""
        return self.folder / "estranha_ed25519"

    @property
    def remote(self) -> Path:
        """The folder uploads go to (the server's side, readable by the test)."""
        return self.folder / "remoto" / "copias"

    @property
    def log(self) -> Path:
        return self.folder / "sshd.log"

    def prepare(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.remote.mkdir(parents=True, exist_ok=True)
        write_key(self.host_key)
        authorized = [write_key(self.client_key), write_key(self.locked_key, PASSPHRASE)]
        write_key(self.stranger_key)
        (self.folder / "authorized_keys").write_text("\n".join(authorized) + "\n")
        (self.folder / "sshd_config").write_text(
            "\n".join(
                [
                    f"ListenAddress {self.host}",
                    f"Port {self.port}",
                    f"HostKey {self.host_key}",
                    f"PidFile {self.folder / 'sshd.pid'}",
                    f"AuthorizedKeysFile {self.folder / 'authorized_keys'}",
                    "StrictModes no",
                    "UsePAM no",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    "Subsystem sftp internal-sftp",
                    "LogLevel VERBOSE",
                    "",
                ]
            )
        )

    def start(self) -> None:
        if not SSHD.exists():
            pytest.skip("o openssh-server não está instalado (apt-get install -y openssh-server)")
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(SSHD), "-D", "-e", "-f", str(self.folder / "sshd_config")], stdout=log, stderr=log
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"o sshd terminou ao iniciar: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as probe:
                    if probe.recv(8).startswith(b"SSH-"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"o sshd não respondeu na porta {self.port}: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.drop_connections()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def new_host_key(self) -> None:
        """The server reinstalled (or someone in the middle): the same address, another host key."""
        self.stop()
        self.host_key.unlink()
        write_key(self.host_key)
        self.start()

    def _descendants(self, pid: int) -> list[int]:
        found = []
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                found += [child, *self._descendants(child)]
        return found

    def drop_connections(self) -> int:
        """Kill every per-connection sshd process (the listener stays): the connection drops as
        when a link goes down mid-transfer. Returns how many processes were killed."""
        if self.process is None:
            return 0
        killed = 0
        for pid in self._descendants(self.process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        return killed


@pytest.fixture
def sshd(tmp_path_factory) -> Iterator[Sshd]:
    server = Sshd(tmp_path_factory.mktemp("sshd"))
    server.prepare()
    server.start()
    try:
        yield server
    finally:
        server.stop()


if __name__ == "__main__":  # a server for a walk by hand
    server = Sshd(Path(sys.argv[1]).resolve())
    server.prepare()
    server.start()
    print(f"sshd em {server.host}:{server.port} (pid {server.process.pid}), usuário {server.user}")
    print(f"chave do cliente: {server.client_key}  pasta remota: {server.remote}")
    try:
        server.process.wait()
    except KeyboardInterrupt:
        server.stop()
