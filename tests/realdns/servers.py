"""Real DNS software on loopback for the tests: NSD as the authoritative server, unbound and BIND
as caching resolvers (DESIGN.md, Testing: "the real software is the judge").

Every server binds 127.0.0.1 on a free high port, runs in the foreground as a child of the test
process with its own config and working directory, and is stopped by its PID (its process group,
which it leads, so NSD's server children go too). Nothing here touches port 53, the system's
config files or a service manager.

    auth = Authoritative(tmp / "nsd", [Zone("early.test")]); auth.start()
    unbound = Unbound(tmp / "unbound", {"early.test": auth.port}); unbound.start()
    auth.publish("early.test", "s1._domainkey CNAME s1.dkim.esp.test.")

The zones' negative TTL is short (:data:`NEGATIVE_TTL`), so a cached "does not exist" runs out
in seconds and a test can watch the real resolver's answer flip.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

# The programs the suite starts or drives, and the Debian package each comes from.
PROGRAMS: dict[str, str] = {
    "nsd": "nsd",
    "nsd-control": "nsd",
    "unbound": "unbound",
    "unbound-control": "unbound",
    "named": "bind9",
    "rndc": "bind9",
    "tsig-keygen": "bind9",
}
# Daemons live in sbin, which a normal user's PATH on Debian lacks: look there too.
SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")

NEGATIVE_TTL = 15  # seconds: long enough for several sweeps, short enough for a quick suite
START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
# Ports are chosen free, then bound by the server a moment later; on a busy machine another
# process may take one in between, and the server is started again on fresh ones.
START_ATTEMPTS = 3


def find_program(name: str) -> str | None:
    search = os.pathsep.join([os.environ.get("PATH", ""), *SBIN])
    return shutil.which(name, path=search)


def missing_programs() -> list[str]:
    return [name for name in PROGRAMS if find_program(name) is None]


def require_programs() -> None:
    """Skip the calling test module (at import) when the real DNS software is not installed."""
    missing = missing_programs()
    if missing:
        packages = sorted({PROGRAMS[name] for name in missing})
        pytest.skip(
            f"real DNS software not installed: {', '.join(missing)} missing "
            f"(Debian packages {' '.join(packages)}; .ci/run installs them)",
            allow_module_level=True,
        )


def program(name: str) -> str:
    found = find_program(name)
    if found is None:
        raise FileNotFoundError(name)
    return found


# --- ports and processes -------------------------------------------------------------------


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 right now (DNS servers bind both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return int(port)
    raise RuntimeError("no free port on 127.0.0.1")


try:
    # Loaded here, not in the child: between fork and exec the child must not take locks
    # (dlopen does) that another thread of the test process may have held at the fork.
    _LIBC: ctypes.CDLL | None = ctypes.CDLL(None, use_errno=True)
except OSError:
    _LIBC = None
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In the child before exec: if the test process dies (even by SIGKILL), so does the
    server, so no daemon outlives a crashed or killed test run. Linux only; elsewhere the
    fixtures' teardown is all there is."""
    if _LIBC is not None and hasattr(_LIBC, "prctl"):
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Daemon:
    """One server process: its working directory, its log, its PID. Subclasses write their
    config and spawn in :meth:`_launch`, and say in :meth:`_ready` when they serve."""

    kind = "daemon"

    def _launch(self) -> None:
        raise NotImplementedError

    def _ready(self) -> bool:
        raise NotImplementedError

    def start(self) -> None:
        for attempt in range(1, START_ATTEMPTS + 1):
            self._launch()
            try:
                self._wait_until(self._ready, "serving")
                return
            except RuntimeError:
                self.stop()
                if attempt == START_ATTEMPTS:
                    raise

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log = workdir / "output.log"
        self.process: subprocess.Popen[bytes] | None = None

    def _spawn(self, argv: Sequence[str]) -> None:
        """Start ``argv`` with its program run from a copy in the working directory, or from
        where it is installed when a copy cannot be run (a ``noexec`` temporary directory).

        Why a copy: Debian and Ubuntu ship AppArmor profiles for /usr/sbin/named and
        /usr/sbin/unbound that confine them to /etc/bind, /var/cache/bind, /etc/unbound, ...
        A profile attaches by path, so on a machine with AppArmor enabled (Ubuntu CI runners)
        the installed daemons could not read their configs under the test's temporary
        directory. The copy is the same program, unconfined, and nothing system-wide changes.
        """
        installed = argv[0]
        copy = self.workdir / "bin" / Path(installed).name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy2(installed, copy)
        try:
            self._popen([str(copy), *argv[1:]])
        except PermissionError:
            self._popen(list(argv))

    def _popen(self, argv: list[str]) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                argv,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, led by its PID
                preexec_fn=die_with_parent,
            )

    def _wait_until(self, ready: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.kind} exited with {self.process.returncode} before {what}:\n"
                    + self.output()
                )
            if ready():
                return
            time.sleep(0.05)
        raise RuntimeError(
            f"{self.kind} did not get to {what} in {START_TIMEOUT} s:\n{self.output()}"
        )

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT)
        # NSD's server and xfrd children share the group this PID leads; none may linger.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def run(argv: Sequence[str], timeout: float = 10.0) -> str:
    done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} failed ({done.returncode}): {done.stderr or done.stdout}"
        )
    return done.stdout


# --- asking --------------------------------------------------------------------------------


def ask(
    port: int,
    qname: str,
    rdtype: str = "CNAME",
    *,
    recursion: bool = True,
    timeout: float = 2.0,
    rdclass: str = "IN",
) -> dns.message.Message:
    """One question, as `dig` would ask it; raises dns.exception.Timeout on silence."""
    query = dns.message.make_query(qname, rdtype, rdclass, use_edns=0, payload=1232)
    if not recursion:
        query.flags &= ~dns.flags.RD
    return dns.query.udp(query, "127.0.0.1", port=port, timeout=timeout)


def answered(message: dns.message.Message, rdtype: str = "CNAME") -> list[str]:
    """The records of type ``rdtype`` in the answer section, as text."""
    kind = dns.rdatatype.from_text(rdtype)
    return [rdata.to_text() for rrset in message.answer if rrset.rdtype == kind for rdata in rrset]


def negative_soa(message: dns.message.Message) -> tuple[int, int] | None:
    """(TTL, serial) of the SOA a negative answer carries, or None."""
    for rrset in message.authority:
        if rrset.rdtype == dns.rdatatype.SOA:
            return rrset.ttl, next(iter(rrset)).serial
    return None


def rcode(message: dns.message.Message) -> str:
    return dns.rcode.to_text(message.rcode())


# --- the authoritative server --------------------------------------------------------------


@dataclass
class Zone:
    """A zone NSD serves. ``records`` are zone-file lines relative to the apex."""

    apex: str
    negative_ttl: int = NEGATIVE_TTL
    records: list[str] = field(default_factory=list)
    serial: int = 1

    def text(self) -> str:
        # The SOA's own TTL and its MINIMUM are both the negative TTL: RFC 2308 §5 caches a
        # negative for min(the two), so that is exactly how long resolvers keep one.
        ttl = self.negative_ttl
        lines = [
            f"$ORIGIN {self.apex}.",
            f"$TTL {ttl}",
            f"@ {ttl} IN SOA ns1.{self.apex}. hostmaster.{self.apex}. "
            f"{self.serial} 3600 600 86400 {ttl}",
            f"@ {ttl} IN NS ns1.{self.apex}.",
            f"ns1 {ttl} IN A 127.0.0.1",
            *self.records,
        ]
        return "\n".join(lines) + "\n"


class Authoritative(Daemon):
    """NSD serving ``zones``; :meth:`publish` and :meth:`replace` change a zone and reload it."""

    kind = "nsd"

    def __init__(self, workdir: Path, zones: Iterable[Zone]) -> None:
        super().__init__(workdir)
        self.zones = {z.apex: z for z in zones}
        self.port = 0
        self.config = workdir / "nsd.conf"
        self.control = workdir / "nsd.ctl"

    def _config_text(self) -> str:
        d = self.workdir
        zones = "".join(f"zone:\n  name: {apex}\n  zonefile: {apex}.zone\n" for apex in self.zones)
        return f"""server:
  ip-address: 127.0.0.1
  port: {self.port}
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "{d}"
  database: ""
  zonelistfile: "{d}/zone.list"
  xfrdfile: "{d}/xfrd.state"
  xfrdir: "{d}"
  pidfile: "{d}/nsd.pid"
  logfile: "{d}/nsd.log"
  server-count: 1
  verbosity: 1
  # Response rate limiting would drop the tests' repeated questions (dns.md: RRL).
  rrl-ratelimit: 0
remote-control:
  control-enable: yes
  # A unix socket: no TLS keys to make, and no TCP port to collide with.
  control-interface: {self.control}
{zones}"""

    def _launch(self) -> None:
        for zone in self.zones.values():
            (self.workdir / f"{zone.apex}.zone").write_text(zone.text())
        self.port = free_port()
        self.config.write_text(self._config_text())
        self._spawn([program("nsd"), "-d", "-c", str(self.config)])

    def _ready(self) -> bool:
        return all(self.serial(z.apex) == z.serial for z in self.zones.values())

    def serial(self, apex: str) -> int | None:
        try:
            answer = ask(self.port, apex, "SOA", recursion=False, timeout=0.5)
        except Exception:
            return None
        soa = [rrset for rrset in answer.answer if rrset.rdtype == dns.rdatatype.SOA]
        return next(iter(soa[0])).serial if soa else None

    def replace(self, apex: str, records: Sequence[str]) -> int:
        """The zone now holds exactly ``records`` (plus SOA, NS): a new serial, reloaded, and
        served before this returns. Returns the new serial.

        A reload makes NSD fork new server processes and retire the old ones, which share the
        listening sockets with the new ones for a moment. Seeing the new serial once is not
        enough: an old process could still hand a resolver the old zone, and a resolver would
        cache that "does not exist". So this also waits until every old one has exited."""
        zone = self.zones[apex]
        zone.records = list(records)
        zone.serial += 1
        retiring = self._serving_processes()
        (self.workdir / f"{apex}.zone").write_text(zone.text())
        run([program("nsd-control"), "-c", str(self.config), "reload", apex])
        self._wait_until(
            lambda: self.serial(apex) == zone.serial and not retiring & self._serving_processes(),
            f"serving serial {zone.serial} from new processes only",
        )
        return zone.serial

    def _serving_processes(self) -> set[int]:
        """PIDs of NSD's live server processes (in the process group its main process leads).
        Read from /proc, so Linux only; elsewhere empty, and only the serial is waited for."""
        if self.process is None:
            return set()
        found = set()
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                name = (entry / "comm").read_text().strip()
                # After the ")" that ends the command name: state, parent PID, group ID, ...
                state, _, group = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
            except (OSError, ValueError):
                continue  # gone meanwhile, or not ours to read
            if int(group) == self.process.pid and name.startswith("nsd: server") and state != "Z":
                found.add(int(entry.name))
        return found

    def publish(self, apex: str, *records: str) -> int:
        return self.replace(apex, [*self.zones[apex].records, *records])


# --- the resolvers -------------------------------------------------------------------------


class Unbound(Daemon):
    """unbound as a caching resolver; each zone in ``stubs`` is asked at the given port."""

    kind = "unbound"

    def __init__(self, workdir: Path, stubs: dict[str, int], extra: Sequence[str] = ()) -> None:
        super().__init__(workdir)
        self.stubs = stubs
        self.extra = list(extra)
        self.port = 0
        self.control_port = 0
        self.config = workdir / "unbound.conf"

    def _config_text(self) -> str:
        d = self.workdir
        stubs = "".join(
            f'stub-zone:\n  name: "{apex}"\n  stub-addr: 127.0.0.1@{port}\n'
            for apex, port in self.stubs.items()
        )
        extra = "".join(f"  {line}\n" for line in self.extra)
        return f"""server:
  interface: 127.0.0.1
  port: {self.port}
  do-ip6: no
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "{d}"
  pidfile: "{d}/unbound.pid"
  logfile: ""
  use-syslog: no
  verbosity: 1
  access-control: 127.0.0.0/8 allow
  # The authoritative server is on loopback, which unbound refuses to ask by default.
  do-not-query-localhost: no
  # No DNSSEC validation: the test zones are unsigned and no trust anchor is configured.
  module-config: "iterator"
  # "test." is one of unbound's built-in empty zones (RFC 6761): let the stubs answer.
  local-zone: "test." nodefault
{extra}remote-control:
  control-enable: yes
  control-interface: 127.0.0.1
  control-port: {self.control_port}
  control-use-cert: no
{stubs}"""

    def _launch(self) -> None:
        self.port, self.control_port = free_port(), free_port()
        self.config.write_text(self._config_text())
        self._spawn([program("unbound"), "-d", "-c", str(self.config)])

    def _ready(self) -> bool:
        # unbound exits when it cannot bind a port, so answering its control port is enough.
        try:
            self.control("status")
        except (RuntimeError, subprocess.TimeoutExpired):
            return False
        return True

    def control(self, *command: str) -> str:
        return run([program("unbound-control"), "-c", str(self.config), *command])

    def dump_cache(self) -> str:
        return self.control("dump_cache")

    def message_ttl(self, qname: str, rdtype: str) -> int | None:
        """Seconds left of unbound's cached answer (its message cache) to ``qname rdtype``: when
        this answer, negative or not, expires. None when it holds none."""
        # A line reads: msg <qname> IN <type> <flags> <qdcount> <ttl left> <security> ...
        wanted = f"msg {qname.rstrip('.')}. IN {rdtype.upper()} "
        for line in self.dump_cache().splitlines():
            if line.startswith(wanted):
                return int(line.split()[6])
        return None


class Bind(Daemon):
    """BIND's named as a caching resolver; each zone in ``forwards`` is forwarded (only) to the
    given port, which is how a resolver that is not on port 53 can be pointed at a server."""

    kind = "named"

    def __init__(
        self, workdir: Path, forwards: dict[str, int], extra_options: Sequence[str] = ()
    ) -> None:
        super().__init__(workdir)
        self.forwards = forwards
        self.extra_options = list(extra_options)
        self.port = 0
        self.control_port = 0
        self.config = workdir / "named.conf"
        self.rndc_config = workdir / "rndc.conf"
        self.dump = workdir / "cache.db"

    def _launch(self) -> None:
        d = self.workdir
        self.port, self.control_port = free_port(), free_port()
        key = run([program("tsig-keygen"), "-a", "hmac-sha256", "rndc-key"])
        (d / "rndc.key").write_text(key)
        (d / "rndc.key").chmod(0o600)
        forwards = "".join(
            f'zone "{apex}" {{ type forward; forward only; '
            f"forwarders {{ 127.0.0.1 port {port}; }}; }};\n"
            for apex, port in self.forwards.items()
        )
        extra = "".join(f"  {line}\n" for line in self.extra_options)
        self.config.write_text(
            f"""include "{d}/rndc.key";
controls {{
  inet 127.0.0.1 port {self.control_port} allow {{ 127.0.0.1; }} keys {{ "rndc-key"; }};
}};
options {{
  directory "{d}";
  pid-file "{d}/named.pid";
  dump-file "{self.dump}";
  session-keyfile "{d}/session.key";
  managed-keys-directory "{d}";
  listen-on port {self.port} {{ 127.0.0.1; }};
  listen-on-v6 {{ none; }};
  recursion yes;
  allow-query {{ 127.0.0.1; }};
  allow-recursion {{ 127.0.0.1; }};
  dnssec-validation no;
  empty-zones-enable no;
  notify no;
{extra}}};
{forwards}"""
        )
        self.rndc_config.write_text(
            f"""include "{d}/rndc.key";
options {{ default-key "rndc-key"; default-server 127.0.0.1; default-port {self.control_port}; }};
"""
        )
        # -g: foreground, logging to stderr (the log file). No -u: it stays the test's user,
        # which is all a throwaway server on high ports needs.
        self._spawn([program("named"), "-g", "-c", str(self.config)])

    def _ready(self) -> bool:
        # named keeps running when a port is taken, so both must be seen to answer: its
        # control channel, and its own DNS port (the CHAOS version question it answers itself).
        try:
            self.rndc("status")
            version = ask(self.port, "version.bind", "TXT", rdclass="CH", timeout=0.5)
        except (RuntimeError, subprocess.TimeoutExpired, dns.exception.Timeout, OSError):
            return False
        return bool(answered(version, "TXT"))

    def rndc(self, *command: str) -> str:
        return run([program("rndc"), "-c", str(self.rndc_config), *command])

    def dump_cache(self) -> str:
        """``rndc dumpdb -cache``, waited for: named writes the file after rndc returns."""
        with contextlib.suppress(FileNotFoundError):
            self.dump.unlink()
        self.rndc("dumpdb", "-cache")
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            with contextlib.suppress(FileNotFoundError):
                text = self.dump.read_text(errors="replace")
                if "; Dump complete" in text:
                    return text
            time.sleep(0.05)
        raise RuntimeError("named did not finish dumping its cache")

    def negatives(self) -> dict[str, tuple[int, str]]:
        """Every negative entry in BIND's cache: owner -> (seconds left, what it covers),
        ``ANY`` for an NXDOMAIN (it covers every type of the name), ``CNAME`` etc. for a
        NODATA. Read from the dump, which is zone-file text: an owner may be left out (the
        previous line's), relative to a ``$ORIGIN``, and the class may be left out too."""
        found: dict[str, tuple[int, str]] = {}
        origin, owner = ".", ""
        for line in self.dump_cache().splitlines():
            if line.startswith("$ORIGIN"):
                origin = line.split()[1]
                continue
            if not line.strip() or line.lstrip().startswith(";") or line.startswith("$"):
                continue
            fields = line.split()
            if not line[0].isspace():
                owner = fields.pop(0)
                if not owner.endswith("."):
                    owner = f"{owner}.{origin}" if origin != "." else f"{owner}."
            if fields and fields[0] == "IN":  # a TTL may come before or after the class
                fields.pop(0)
            if len(fields) >= 2 and fields[1] == "IN":
                fields.pop(1)
            if len(fields) >= 2 and fields[0].isdigit() and fields[1].startswith("\\-"):
                found[owner.lower()] = (int(fields[0]), fields[1][2:])
        return found

    def negative_ttl(self, qname: str) -> tuple[int, str] | None:
        """(seconds left, what it covers) of BIND's cached negative for ``qname``, if any."""
        return self.negatives().get(qname.rstrip(".").lower() + ".")


# --- a server that never answers -----------------------------------------------------------


class Blackhole:
    """UDP and TCP sockets on one port that take questions and never answer: a path to a zone's
    servers that a firewall or a broken link eats, as seen from a resolver."""

    def __init__(self) -> None:
        self.port = free_port()
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind(("127.0.0.1", self.port))
        self._tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._tcp.bind(("127.0.0.1", self.port))
        self._tcp.listen(16)

    def close(self) -> None:
        self._udp.close()
        self._tcp.close()
