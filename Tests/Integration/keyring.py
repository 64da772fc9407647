"""A real gnome-keyring on a private session bus, started under dbus-run-session."""
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

NO_SERVICES_BUS = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
"""


class SessionBus:
    """dbus-run-session running a script that (optionally) starts gnome-keyring,
    writes the bus address to a file, then waits until told to stop."""

    def __init__(self, with_keyring=True, password="keyring-pw"):
        self.dir = Path(tempfile.mkdtemp(prefix="apictl-bus-"))
        address_file = self.dir / "address"
        data_home = self.dir / "data"
        data_home.mkdir()
        script = ""
        args = ["dbus-run-session"]
        if with_keyring:
            script += (f'printf %s "{password}" | gnome-keyring-daemon --unlock --replace --components=secrets '
                       f'>"{self.dir}/keyring.out" 2>&1\n')
        else:
            (self.dir / "bus.conf").write_text(NO_SERVICES_BUS)
            args.append(f"--config-file={self.dir}/bus.conf")
        script += f'echo "$DBUS_SESSION_BUS_ADDRESS" > "{address_file}.tmp" && mv "{address_file}.tmp" "{address_file}"\n'
        script += "exec sleep 3600\n"
        env = dict(os.environ, XDG_DATA_HOME=str(data_home), HOME=str(self.dir))
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        self.process = subprocess.Popen([*args, "--", "bash", "-c", script], env=env, start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 15
        while not address_file.exists():
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError("dbus-run-session did not start")
            time.sleep(0.02)
        self.address = address_file.read_text().strip()
        self.env = {"DBUS_SESSION_BUS_ADDRESS": self.address}
        # gnome-keyring-daemon returns before it owns its bus name and before its login
        # collection is the default: on a loaded machine a test could otherwise meet "the
        # keyring is not running" or "there is no default keyring collection" (each seen once
        # in about ten full runs), which a user's long-running keyring never shows.
        while with_keyring and not self.keyring_ready():
            if time.time() > deadline:
                raise RuntimeError("gnome-keyring-daemon did not become ready")
            time.sleep(0.02)

    def keyring_ready(self):
        owner = self.run("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                         "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets")
        if owner.returncode != 0 or "boolean true" not in owner.stdout:
            return False
        default = self.run("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets",
                           "/org/freedesktop/secrets/aliases/default", "org.freedesktop.DBus.Properties.Get",
                           "string:org.freedesktop.Secret.Collection", "string:Locked")
        return default.returncode == 0 and "boolean" in default.stdout

    def run(self, *args, input=None):
        """Runs a helper (secret-tool, dbus-send) on this bus."""
        return subprocess.run(list(args), env=dict(os.environ, **self.env), input=input, capture_output=True, text=True, timeout=10)

    def daemon_pid(self):
        """The gnome-keyring-daemon serving this bus (it may leave our process group when it forks)."""
        for pid in subprocess.run(["pgrep", "-x", "gnome-keyring-d"], capture_output=True, text=True).stdout.split():
            try:
                environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if f"DBUS_SESSION_BUS_ADDRESS={self.address}".encode() in environ:
                return int(pid)
        return None

    def lock(self):
        return self.run("dbus-send", "--session", "--dest=org.freedesktop.secrets", "--print-reply", "/org/freedesktop/secrets",
                        "org.freedesktop.Secret.Service.Lock", "array:objpath:/org/freedesktop/secrets/collection/login")

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self.process.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)
