"""One sweep: every record at every resolver, authoritative servers first.

    prober = Prober(authoritative=[...])              # or discovered through `discovery`
    report = await prober.sweep(records, resolvers)   # a Report: cells, diagnoses, ETA

Every question has its own timeout, and everything for one sweep runs concurrently (each
record's questions, a DKIM selector's TXT question and each resolver's control question go
out together), so a dead resolver costs one timeout, not one per record, and the extra
questions cost no extra round trip. Questions in flight are bounded (DEFAULT_CONCURRENCY over
the shared UDP sockets; STREAMS for TCP retries and DoH, which cost a file descriptor each).

Over 400 lines: the sweep's phases share the prober's state (its sockets, its memory of
negatives, the resolvers' software). The next seam is the per-resolver control and software
questions (``_control`` and its constants), which could become their own module.

Observer effect (dns.md §3 headline 3): public resolvers are not asked about a record until
the authoritative servers serve it, because each "does not exist" we provoke is cached for the
zone's negative TTL. ``force=True`` asks anyway and says what it costs.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from tui.clock import SYSTEM_CLOCK, Clock
from tui.propagation import authority, classify, combine, diagnose, eta
from tui.propagation.answers import Answer
from tui.propagation.classify import Truth
from tui.propagation.intercept import intercepted
from tui.propagation.model import (
    NO_SIGNAL,
    Cell,
    Endpoint,
    ExpectedRecord,
    Report,
    Resolver,
    Role,
    Status,
    Unanswered,
    ZoneInfo,
)
from tui.propagation.names import ServerAddress
from tui.propagation.negatives import NegativeMemory, apply_cap, negative_cap, software_of
from tui.propagation.transport import Exchange, ask, ask_doh
from tui.propagation.udp import UdpMultiplexer
from tui.time_words import is_world

if TYPE_CHECKING:
    import httpx  # imported when a DoH question is first sent (transport.ask_doh)

# Questions in flight at once: a bound on memory, not a pace. The multiplexer spreads them over
# as few UDP sockets as their receive buffers allow (one, where the system grants a 4 MiB
# buffer), so a sweep of 200 resolvers (each asked every record, a selector's TXT too, and the
# control question: about 2,000 questions) goes out in one round trip. Each server gets at most
# PER_SERVER of them at once: a bound on the burst one server sees from us, high enough that a
# sweep of many records does not wait on it (74 records: about 300 questions to the zone's
# first server, a selector's findings included; about 110 to each resolver). What
# costs a file descriptor each (a TCP retry, a DoH request) is held to STREAMS: desktop systems
# allow 256 or 1024 open files (dns.md §5.2).
DEFAULT_CONCURRENCY = 5000
PER_SERVER = 512
STREAMS = 200
DEFAULT_TIMEOUT = 2.0
ANYCAST_SAMPLES = 3
RETRY_DISCOVERY = 60.0  # seconds before a failed zone search is tried again

# The control question, asked of every resolver in the same sweep as the records (so it adds
# no round trip): one every resolver answers without reaching any zone. RFC 6761 §6.3 has
# caching servers answer "localhost." themselves, and they do (unbound, systemd-resolved and
# dnsmasq from local data at once; the rest from the root's cached "does not exist", which
# lasts a day), so it is free and never touches the zone being checked. A resolver that
# answers it (NOERROR or NXDOMAIN) is alive: if it stays silent or fails on our names, the
# path from it to the zone is what is dead, and its users cannot see the records.
CONTROL = ("localhost", "A")
# Asked once per resolver, alongside: which software it is (unbound, BIND, ...) says how long it
# keeps a negative at most. Answered from the resolver itself, or refused; never forwarded.
VERSION = ("version.bind", "TXT", "CH")
# DKIM verifiers and receiving mail servers ask TXT at the selector and follow the CNAME, and a
# resolver caches a negative per question type: a `dig TXT` before publishing leaves a TXT
# negative our CNAME question cannot see. So selectors are asked both ways.
DKIM_LABEL = "_domainkey"


def question_types(record: ExpectedRecord) -> tuple[str, ...]:
    """The types that matter for a record: its own, plus TXT at a DKIM selector
    (``<selector>._domainkey.<domain>``, RFC 6376 §3.6.2.1)."""
    labels = record.name.split(".")
    if record.rdtype == "CNAME" and DKIM_LABEL in labels[1:]:
        return ("CNAME", "TXT")
    return (record.rdtype,)


@dataclass(frozen=True, slots=True)
class Control:
    alive: bool  # answered the control question (NOERROR or NXDOMAIN)
    software: str = ""  # from version.bind, "" when unknown


# The questions of the sweep under way that no server answered (a context variable, so that two
# sweeps of one prober running at once would each count their own).
_UNANSWERED: contextvars.ContextVar[list[tuple[str, bool, str]] | None] = contextvars.ContextVar(
    "unanswered", default=None
)


# Questions of the sweep under way sent before their phase (see ``Prober._early``): by what
# ``ask``/``_ask_resolver`` would be called with, the tasks already under way, each used once.
_EARLY: contextvars.ContextVar[dict[tuple, list[asyncio.Task[Exchange]]] | None] = (
    contextvars.ContextVar("early", default=None)
)


class Prober:
    def __init__(
        self,
        *,
        authoritative: Sequence[ServerAddress] = (),
        discovery: Sequence[Resolver] = (),
        clock: Clock = SYSTEM_CLOCK,
        timeout: float = DEFAULT_TIMEOUT,
        concurrency: int = DEFAULT_CONCURRENCY,
        anycast_samples: int = ANYCAST_SAMPLES,
        http: httpx.AsyncClient | None = None,
        interception: Endpoint | None = None,
        server_port: int = 53,
    ) -> None:
        """``server_port``: the port name servers found through discovery are asked on (53 on
        the Internet; tests run theirs on loopback high ports)."""
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.authoritative = tuple(authoritative)
        self.discovery = tuple(discovery)
        self.clock = clock
        self.timeout = timeout
        self.anycast_samples = max(1, anycast_samples)
        self._limit = asyncio.Semaphore(concurrency)
        # Per server (address and port): however many resolvers a sweep asks, none of them, and
        # no authoritative server, gets more than PER_SERVER of our questions at once.
        self._per_server: dict[tuple[str, int], asyncio.Semaphore] = {}
        self._streams = asyncio.Semaphore(min(concurrency, STREAMS))
        self._http = http
        self._owns_http = http is None
        self._use_doh: set[str] = set()  # resolvers whose port 53 looked blocked
        self._udp = UdpMultiplexer()
        self._zones: dict[str, authority.Authority] = {}
        self._failed: dict[str, tuple[float, authority.Authority]] = {}
        self.interception = interception  # None: do not check (tests, --resolver overrides)
        self._interception_checked = False
        self._warnings: list[str] = []
        self.server_port = server_port
        # Kept across sweeps: each negative as first seen (countdowns never lengthen), each
        # resolver's software (for its negative cap), and per record the oldest zone serial at
        # which it was seen published (a negative with a later SOA is an old one).
        self.negatives = NegativeMemory()
        self._software: dict[str, str] = {}
        self._published: dict[str, int] = {}
        self._published_by: dict[str, datetime] = {}  # first sweep that saw the record served
        # Each record's truth at the last sweep: whether its questions may go out early.
        self._last_truths: dict[str, Truth] = {}

    async def aclose(self) -> None:
        self._udp.close()
        if self._http is not None and self._owns_http:
            await self._http.aclose()

    # --- asking --------------------------------------------------------------------------

    async def ask(
        self,
        endpoint: Endpoint,
        qname: str,
        rdtype: str,
        *,
        recursion: bool,
        cd: bool = False,
        dnssec: bool = False,
        rdclass: str = "IN",
    ) -> Exchange:
        key = ("ask", endpoint, qname, rdtype, recursion, cd, dnssec, rdclass)
        task = _take_early(key)
        if task is not None:
            exchange = await task
        else:
            exchange = await self._ask_now(
                endpoint, qname, rdtype, recursion, cd=cd, dnssec=dnssec, rdclass=rdclass
            )
        _count(exchange, str(endpoint), not recursion, f"{qname} {rdtype}")
        return exchange

    def _server_limit(self, endpoint: Endpoint) -> asyncio.Semaphore:
        key = (endpoint.host, endpoint.port)
        limit = self._per_server.get(key)
        if limit is None:
            limit = self._per_server[key] = asyncio.Semaphore(PER_SERVER)
        return limit

    async def _ask_now(
        self,
        endpoint: Endpoint,
        qname: str,
        rdtype: str,
        recursion: bool,
        *,
        cd: bool = False,
        dnssec: bool = False,
        rdclass: str = "IN",
    ) -> Exchange:
        async with self._limit, self._server_limit(endpoint):
            return await ask(
                endpoint,
                qname,
                rdtype,
                recursion=recursion,
                cd=cd,
                timeout=self.timeout,
                udp=self._udp,
                dnssec=dnssec,
                rdclass=rdclass,
                streams=self._streams,
            )

    async def _ask_resolver(
        self,
        resolver: Resolver,
        qname: str,
        rdtype: str,
        *,
        cd: bool = False,
        dnssec: bool = False,
        rdclass: str = "IN",
    ) -> Exchange:
        key = ("resolver", resolver.key, qname, rdtype, cd, dnssec, rdclass)
        task = _take_early(key)
        if task is None:
            return await self._ask_resolver_now(
                resolver, qname, rdtype, cd=cd, dnssec=dnssec, rdclass=rdclass
            )
        return await task  # counted (if unanswered) as it ended, as if asked now

    async def _ask_resolver_now(
        self,
        resolver: Resolver,
        qname: str,
        rdtype: str,
        *,
        cd: bool = False,
        dnssec: bool = False,
        rdclass: str = "IN",
    ) -> Exchange:
        if resolver.key in self._use_doh and resolver.doh_url:
            if self._http is None:
                import httpx

                self._http = httpx.AsyncClient()
            async with self._limit, self._streams:
                exchange = await ask_doh(
                    self._http,
                    resolver.doh_url,
                    qname,
                    rdtype,
                    cd=cd,
                    timeout=self.timeout,
                    dnssec=dnssec,
                    rdclass=rdclass,
                )
            _count(exchange, resolver.doh_url, False, f"{qname} {rdtype}")
            return exchange
        exchange = await self.ask(
            resolver.endpoint, qname, rdtype, recursion=True, cd=cd, dnssec=dnssec, rdclass=rdclass
        )
        if exchange.timed_out and resolver.doh_url:
            # Port 53 may be blocked or intercepted on this network: use DoH from the next
            # sweep on (not now: a dead resolver must cost one timeout, not two).
            self._use_doh.add(resolver.key)
        return exchange

    # --- the sweep ------------------------------------------------------------------------

    async def sweep(
        self,
        records: Sequence[ExpectedRecord],
        resolvers: Sequence[Resolver],
        *,
        force: bool = False,
        added: bool = False,
    ) -> Report:
        """``force``: ask public resolvers even about unpublished records. ``added``: the user
        says the records are added (so missing ones point at the wrong DNS host)."""
        unanswered: list[tuple[str, bool, str]] = []
        early: dict[tuple, list[asyncio.Task[Exchange]]] = {}
        token = _UNANSWERED.set(unanswered)
        early_token = _EARLY.set(early)
        try:
            return await self._sweep(records, resolvers, force, added, unanswered)
        finally:
            _EARLY.reset(early_token)
            _UNANSWERED.reset(token)
            # Questions sent early that the sweep turned out not to need (a record no longer
            # served everywhere, say): their answers are not used, nor counted.
            left = [task for tasks in early.values() for task in tasks]
            for task in left:
                task.cancel()
            if left:
                await asyncio.gather(*left, return_exceptions=True)

    async def _sweep(
        self,
        records: Sequence[ExpectedRecord],
        resolvers: Sequence[Resolver],
        force: bool,
        added: bool,
        unanswered: list[tuple[str, bool, str]],
    ) -> Report:
        now = self.clock.now()
        world = is_world(self.clock)  # the sandbox's fast clock: its times are not wall times
        recursive = [r for r in resolvers if r.role is not Role.AUTHORITATIVE] or list(
            self.discovery
        )
        discovery = list(self.discovery) or recursive
        self._early(records, recursive, force)
        authorities, _ = await asyncio.gather(
            self._authorities(records, discovery), self._check_interception(recursive)
        )
        auth_results = await asyncio.gather(
            *(self._authoritative(r, authorities[r.name], discovery) for r in records)
        )
        truths = {r.name: truth for r, (truth, _) in zip(records, auth_results, strict=True)}
        self._last_truths.update(truths)
        auth_cells = {r.name: cells for r, (_, cells) in zip(records, auth_results, strict=True)}
        zones = {r.name: authorities[r.name].zone for r in records}
        # The public questions (every record, every type that matters, and each resolver's
        # control question) go out together with the extra questions to the authoritative
        # servers: one round trip for all of them.
        findings_list, public, controls = await asyncio.gather(
            asyncio.gather(
                *(self._findings(r, truths[r.name], authorities[r.name]) for r in records)
            ),
            asyncio.gather(
                *(
                    self._public_cell(
                        record, resolver, truths[record.name], zones[record.name], now, force
                    )
                    for record in records
                    for resolver in recursive
                )
            ),
            asyncio.gather(*(self._control(resolver) for resolver in recursive)),
        )
        findings = dict(zip([r.name for r in records], findings_list, strict=True))
        control = dict(zip([r.key for r in recursive], controls, strict=True))
        cells: dict[tuple[str, str], Cell] = {}
        for name, column in auth_cells.items():
            for cell in column:
                cells[(name, cell.resolver)] = cell
        seen: set[tuple[str, str, str]] = set()
        for per_type in public:
            settled: list[Cell] = []
            for cell in per_type:
                key = (cell.resolver, cell.record, cell.rdtype)
                seen.add(key)
                first = settled[0] if settled else None  # the CNAME's verdict, for TXT
                cell = _alive_or_not(cell, control[cell.resolver], truths[cell.record], first)
                cell = apply_cap(cell, control[cell.resolver].software, now)
                settled.append(self.negatives.settle(key, cell, now, world=world))
            cell = combine.combine(settled)
            cells[(cell.record, cell.resolver)] = cell
        self.negatives.prune(now, seen)
        rows = _dedupe([s for a in authorities.values() for s in a.servers] + recursive)
        roles = {r.key: r.role for r in rows}
        warnings = [a.problem for a in authorities.values() if a.problem] + self._warnings
        if force and any(not t.askable for t in truths.values()):
            ttl = max((z.negative_ttl or 0 for z in zones.values()), default=0) or 3600
            ttl = min(ttl, max(negative_cap(c.software) for c in controls) if controls else ttl)
            warnings.append(
                "Checked public resolvers although the records are not published: each one "
                "that answered 'does not exist' will keep that answer for up to "
                f"{ttl} s, which delays it seeing the records."
            )
        silent = _silent_authorities(auth_cells)
        if silent:
            warnings.append(
                f"{len(silent)} authoritative server(s) did not answer ({', '.join(silent)}): "
                "whether they serve the records is unknown, and not counted either way. A dead "
                "server, lost packets or rate limiting (RRL); the next check asks again."
            )
        diagnoses = diagnose.diagnose(
            records, truths, zones, findings, cells, auth_cells, added=added, world=world
        )
        hosts = {z.provider for z in zones.values() if z.provider}
        _drop_early(unanswered, recursive)
        return Report(
            checked_at=now,
            records=tuple(records),
            resolvers=tuple(rows),
            cells=cells,
            zones=zones,
            diagnoses=tuple(diagnoses),
            eta=eta.overall(
                cells.values(),
                truths,
                roles,
                now,
                host=hosts.pop() if len(hosts) == 1 else "",
                world=world,
            ),
            warnings=tuple(dict.fromkeys(warnings)),
            unanswered=_unanswered(unanswered),
        )

    def _early(
        self, records: Sequence[ExpectedRecord], recursive: Sequence[Resolver], force: bool
    ) -> None:
        """Sends now the questions of the later phases whose answers will almost surely be
        wanted, so that a repeated sweep takes one round trip instead of three: for a record
        whose zone is known from an earlier sweep, its question to each authoritative server
        (and the findings' questions, when it existed then); each resolver's control question;
        and each public question about a record that was served everywhere at the last sweep
        (or with ``force``). Nothing is
        decided from them early: each answer is used when its phase comes, as if asked then,
        and unused when the phase does not ask (the record is no longer served everywhere: then
        a resolver was asked once more about a record it was asked about at the last sweep).
        Not before an interception check still to come: it may switch resolvers to DoH."""
        early = _EARLY.get()
        if early is None:
            return

        def send(key: tuple, asking: object) -> None:
            task = asyncio.ensure_future(asking)  # type: ignore[arg-type]
            early.setdefault(key, []).append(task)

        ready = self.interception is None or self._interception_checked
        public = False  # whether any public question went out early
        for record in records:
            found = self._zones.get(record.name)
            last = self._last_truths.get(record.name)
            if found is not None and found.servers:
                for server in found.servers:
                    key = ("ask", server.endpoint, record.name, "CNAME", False, False, False, "IN")
                    send(key, self._ask_now(server.endpoint, record.name, "CNAME", False))
                if last is not None and last.exists:
                    first = found.servers[0].endpoint
                    for rdtype in ("CNAME", "TXT", "MX"):
                        key = ("ask", first, record.name, rdtype, False, False, False, "IN")
                        send(key, self._ask_now(first, record.name, rdtype, False))
            if not ready:
                continue
            if not force and (last is None or not last.askable):
                continue
            public = True
            for resolver in recursive:
                samples = self.anycast_samples if resolver.anycast else 1
                for rdtype in question_types(record):
                    key = ("resolver", resolver.key, record.name, rdtype, False, True, "IN")
                    for _ in range(samples):
                        send(
                            key,
                            self._ask_resolver_now(resolver, record.name, rdtype, dnssec=True),
                        )
        # The control question (and the software question, until known) is always asked: early
        # with the public questions, after them, in the order the sweep asked them before.
        for resolver in recursive if public else ():
            asked = [CONTROL] if resolver.key in self._software else [CONTROL, VERSION]
            for name, rdtype, *rest in asked:
                rdclass = rest[0] if rest else "IN"
                key = ("resolver", resolver.key, name, rdtype, False, False, rdclass)
                send(
                    key,
                    self._ask_resolver_now(resolver, name, rdtype, rdclass=rdclass),
                )

    async def _control(self, resolver: Resolver) -> Control:
        """The control question (and, until known, the software question) to one resolver."""
        asking = [self._ask_resolver(resolver, *CONTROL)]
        known = resolver.key in self._software
        if not known:
            name, rdtype, rdclass = VERSION
            asking.append(self._ask_resolver(resolver, name, rdtype, rdclass=rdclass))
        exchanges = await asyncio.gather(*asking)
        answer = exchanges[0].answer
        alive = answer is not None and answer.rcode in ("NOERROR", "NXDOMAIN")
        if not known and exchanges[1].answer is not None:
            # Any answer settles it, a refusal too (a hidden version stays hidden).
            version = exchanges[1].answer
            self._software[resolver.key] = (
                software_of(version.texts) if version.rcode == "NOERROR" else ""
            )
        return Control(alive, self._software.get(resolver.key, ""))

    async def _check_interception(self, resolvers: Sequence[Resolver]) -> None:
        """Once: if port 53 is intercepted, every public row switches to DoH (dns.md §2.4)."""
        if self.interception is None or self._interception_checked:
            return
        self._interception_checked = True
        async with self._limit:
            found = await intercepted(self.interception, timeout=self.timeout)
        if found:
            switched = [r for r in resolvers if r.role is Role.PUBLIC and r.doh_url]
            self._use_doh.update(r.key for r in switched)
            self._warnings.append(
                f"DNS traffic to port 53 seems intercepted on this network ({self.interception} "
                f"did not answer as Cloudflare does), so {len(switched)} public resolvers are "
                "asked over DoH instead."
            )

    async def _authorities(
        self, records: Sequence[ExpectedRecord], discovery: Sequence[Resolver]
    ) -> dict[str, authority.Authority]:
        """Each record's zone. A zone cut rarely moves, so it is found once and only its
        health (serials, lame servers) is checked again on later sweeps; a failed search is
        retried after a minute rather than costing timeouts on every sweep."""
        now = self.clock.monotonic()
        where = {
            "overrides": self.authoritative,
            "recursive": discovery,
            "port": self.server_port,
        }
        todo = [
            r.name
            for r in records
            if r.name not in self._zones
            and (r.name not in self._failed or now - self._failed[r.name][0] > RETRY_DISCOVERY)
        ]
        found = await asyncio.gather(
            *(authority.discover(name, self.ask, **where) for name in todo)  # type: ignore[arg-type]
        )
        for name, result in zip(todo, found, strict=True):
            if result.zone.known and result.servers:
                self._zones[name] = result
                self._failed.pop(name, None)
            else:
                self._failed[name] = (now, result)
        fresh = set(todo)
        refreshed: dict[str, authority.Authority] = {}
        stale = {
            self._zones[r.name].zone.apex: self._zones[r.name]
            for r in records
            if r.name in self._zones and r.name not in fresh
        }
        updates = await asyncio.gather(
            *(
                authority.zone_info(
                    apex,
                    a.zone.ns_names,
                    a.servers,
                    self.ask,
                    parent=a.zone.parent,
                    parent_ns=a.zone.parent_ns,
                )
                for apex, a in stale.items()
            )
        )
        for (apex, old), zone in zip(stale.items(), updates, strict=True):
            refreshed[apex] = authority.Authority(zone, old.servers, old.problem)
        out: dict[str, authority.Authority] = {}
        for record in records:
            if record.name in self._zones:
                kept = self._zones[record.name]
                out[record.name] = refreshed.get(kept.zone.apex, kept)
            else:
                out[record.name] = self._failed[record.name][1]
        return out

    async def _authoritative(
        self, record: ExpectedRecord, found: authority.Authority, discovery: Sequence[Resolver]
    ) -> tuple[Truth, list[Cell]]:
        exchanges = await asyncio.gather(
            *(self.ask(s.endpoint, record.name, "CNAME", recursion=False) for s in found.servers)
        )
        cells = [
            classify.classify_authoritative(record, server, exchange)
            for server, exchange in zip(found.servers, exchanges, strict=True)
        ]
        if any(c.detail.startswith("the name exists") for c in cells):
            cells = await self._unhide(record, found.servers, cells, discovery)
        # Prefer the expected target when any server has it; else what the servers do serve.
        targets = [c.target for c in cells if c.target]
        target = record.target if record.target in targets else next(iter(targets), None)
        answering = [c for c in cells if c.status not in NO_SIGNAL]
        hidden = next(
            (c.status for c in cells if c.status in (Status.PROXIED, Status.FLATTENED)), None
        )
        has_it = (Status.OK, Status.WRONG_TARGET, Status.PROXIED, Status.FLATTENED)
        truth = Truth(
            published_serial=self._published_serial(record, found.zone, cells),
            published_by=self._published_by.get(record.name),
            zone=found.zone.apex,
            served=any(c.status is Status.OK for c in cells),
            target=target,
            hidden=hidden,
            negative_ttl=found.zone.negative_ttl,
            answered=bool(answering),
            everywhere=bool(answering) and all(c.status in has_it for c in answering),
            other_data=tuple(
                dict.fromkeys(c.detail for c in cells if c.detail.startswith("the name has A"))
            ),
        )
        return truth, cells

    def _published_serial(
        self, record: ExpectedRecord, zone: ZoneInfo, cells: Sequence[Cell]
    ) -> int | None:
        """The oldest zone serial at which an authoritative server served the record, over
        every sweep so far (the record exists at that serial and every later one). Forgotten
        when no server serves it any more (removed: a negative may be fresh again)."""
        serials = [zone.serials.get(c.resolver) for c in cells if c.status is Status.OK]
        serials = [s for s in serials if s is not None]
        if not any(c.status is Status.OK for c in cells):
            if all(c.status not in NO_SIGNAL for c in cells):
                self._published.pop(record.name, None)
                self._published_by.pop(record.name, None)
            return self._published.get(record.name)
        self._published_by.setdefault(record.name, self.clock.now())
        known = self._published.get(record.name)
        candidates = serials + ([known] if known is not None else [])
        oldest = next(
            (c for c in candidates if not any(authority.older(o, c) for o in candidates)), None
        )
        if oldest is not None:
            self._published[record.name] = oldest
        return oldest

    async def _unhide(
        self,
        record: ExpectedRecord,
        servers: Sequence[Resolver],
        cells: list[Cell],
        discovery: Sequence[Resolver],
    ) -> list[Cell]:
        """No CNAME at a name that exists: proxied or flattened? Compare its A answers with
        the target's own (dns.md §4 #3)."""
        target_addresses = await self._addresses(record.target, discovery)
        out = []
        for server, cell in zip(servers, cells, strict=True):
            if cell.detail.startswith("the name exists"):
                exchange = await self.ask(server.endpoint, record.name, "A", recursion=False)
                cell = classify.classify_hidden(cell, exchange.answer, target_addresses)
            out.append(cell)
        return out

    async def _addresses(self, name: str, discovery: Sequence[Resolver]) -> tuple[str, ...]:
        for resolver in discovery[:2]:
            exchange = await self._ask_resolver(resolver, name, "A")
            if exchange.answer and exchange.answer.addresses:
                return exchange.answer.addresses
        return ()

    async def _findings(
        self, record: ExpectedRecord, truth: Truth, found: authority.Authority
    ) -> diagnose.Findings:
        if not found.servers:
            return diagnose.Findings()
        return await diagnose.probe(record, truth, found.zone, found.servers[0].endpoint, self.ask)

    async def _public_cell(
        self,
        record: ExpectedRecord,
        resolver: Resolver,
        truth: Truth,
        zone: ZoneInfo,
        now: datetime,
        force: bool,
    ) -> list[Cell]:
        """One cell per question type that matters (CNAME first), each the worst of its
        samples; asked together, so a selector's TXT question adds no round trip."""
        if not truth.askable and not force:
            ttl = zone.negative_ttl
            if ttl:
                ttl = min(ttl, negative_cap(self._software.get(resolver.key, "")))
            cost = f"for up to {ttl} s" if ttl else "for the zone's negative TTL"
            why = (
                "not every authoritative server serves it yet (a secondary lags)"
                if truth.exists
                else "the authoritative servers do not serve it"
            )
            return [
                Cell(
                    record=record.name,
                    resolver=resolver.key,
                    status=Status.NOT_PUBLISHED,
                    queried=False,
                    detail=f"not asked yet: {why}, and asking now could make this resolver "
                    f"remember 'does not exist' {cost}",
                )
            ]
        samples = self.anycast_samples if resolver.anycast else 1
        kinds = question_types(record)
        found = await asyncio.gather(
            *(
                self._sample(record, resolver, truth, now, rdtype)
                for rdtype in kinds
                for _ in range(samples)
            )
        )
        return [
            combine.worst(list(found[index * samples : (index + 1) * samples]))
            for index in range(len(kinds))
        ]

    async def _sample(
        self,
        record: ExpectedRecord,
        resolver: Resolver,
        truth: Truth,
        now: datetime,
        rdtype: str = "CNAME",
    ) -> Cell:
        # DO set: in a signed zone the negative comes with the NSEC records proving it, which
        # tell a denial synthesised from them (RFC 8198) from one cached for the name.
        exchange = await self._ask_resolver(resolver, record.name, rdtype, dnssec=True)
        cell = classify.classify_resolver(record, resolver, exchange, truth, now, rdtype)
        if exchange.answer is not None and exchange.answer.rcode == "SERVFAIL":
            # SERVFAIL that goes away with validation off is DNSSEC, not the resolver; asked
            # once more with validation on, so a one-off failure is not blamed on DNSSEC.
            # (Only a SERVFAIL the resolver said: a cell failed for other reasons, such as
            # an answer truncated even over TCP, has nothing to do with validation.)
            checked, again = await asyncio.gather(
                self._ask_resolver(resolver, record.name, rdtype, cd=True, dnssec=True),
                self._ask_resolver(resolver, record.name, rdtype, dnssec=True),
            )
            if again.answer is not None and again.answer.rcode != "SERVFAIL":
                cell = classify.classify_resolver(record, resolver, again, truth, now, rdtype)
            elif (
                cell.status is Status.SERVFAIL
                and checked.answer is not None
                and checked.answer.rcode in ("NOERROR", "NXDOMAIN")
            ):
                cell = replace(
                    cell,
                    status=Status.DNSSEC_BOGUS,
                    reason="",
                    detail="fails DNSSEC validation (answers with checking disabled)",
                )
        if rdtype == "CNAME" and truth.hidden is not None and cell.status is truth.hidden:
            found = await self._ask_resolver(resolver, record.name, "A")
            cell = _with_addresses(cell, found.answer)
        return cell


def _take_early(key: tuple) -> asyncio.Task[Exchange] | None:
    """The question ``key`` if it was sent early in the sweep under way (each task once)."""
    early = _EARLY.get()
    tasks = early.get(key) if early is not None else None
    if not tasks:
        return None
    task = tasks.pop(0)
    if not tasks:
        del early[key]  # type: ignore[union-attr]
    return task


def _drop_early(unanswered: list[tuple[str, bool, str]], recursive: Sequence[Resolver]) -> None:
    """Stops the questions sent early that the sweep did not use, and takes those that went
    unanswered off the sweep's count: the report shows them as not asked."""
    early = _EARLY.get()
    if not early:
        return
    by_key = {r.key: r for r in recursive}
    for key, tasks in early.items():
        for task in tasks:
            task.cancel()
            if key[0] != "resolver" or not task.done() or task.cancelled():
                continue
            if task.exception() is None and task.result().timed_out:
                resolver = by_key[key[1]]
                doh = task.result().transport == "doh"
                where = resolver.doh_url if doh else str(resolver.endpoint)
                entry = (where or "", False, f"{key[2]} {key[3]}")
                if entry in unanswered:
                    unanswered.remove(entry)


def _alive_or_not(cell: Cell, control: Control, truth: Truth, cname: Cell | None = None) -> Cell:
    """A resolver that answered the control question but not ours is no dead resolver: the
    path from it to the zone is dead, and its users cannot see the records (dns.md: unbound
    stays silent on a zone it cannot reach, then answers SERVFAIL at once). ``cname``: for a
    TXT cell, the CNAME's verdict at the same resolver; when that is visible, the resolver did
    reach the zone, and what fails is following the CNAME to its target."""
    if not cell.queried:
        return cell
    failed = cell.status is Status.UNREACHABLE and cell.reason != "ignored"
    failed = failed or (cell.status is Status.SERVFAIL and cell.reason == "servfail")
    if failed and cname is not None and cname.status is Status.OK:
        why = "no answer in time" if cell.status is Status.UNREACHABLE else "SERVFAIL"
        target = cname.target or "the target"
        return replace(
            cell,
            status=Status.CANT_REACH_ZONE,
            reason="target",
            detail=f"can't follow the CNAME to {target}: {why} here, so DKIM verifiers using "
            f"this resolver get no key; {target}'s servers (the ESP's, not yours) are what it "
            "cannot reach",
        )
    if not control.alive:
        return cell
    zone = truth.zone or "the zone"
    if cell.status is Status.UNREACHABLE and cell.reason == "ignored":
        # It answers properly otherwise: what it sent for this name is a broken answer.
        return replace(
            cell,
            status=Status.SERVFAIL,
            detail=f"{cell.detail}; it answers other questions properly, so this is a broken "
            "answer, not silence",
        )
    if cell.status is Status.UNREACHABLE:
        why = "no answer in time"
    elif cell.status is Status.SERVFAIL and cell.reason == "servfail":
        why = "SERVFAIL"
    else:
        return cell
    return replace(
        cell,
        status=Status.CANT_REACH_ZONE,
        detail=f"can't reach {zone}: {why} here, while it answers other questions at once; "
        f"it cannot reach {zone}'s name servers, so its users cannot see the record",
    )


def _count(exchange: Exchange, server: str, authoritative: bool, question: str) -> None:
    """Counts a question no server answered in the sweep under way (dns.md: rate limiting
    drops questions; a checker counts them rather than turning them into a verdict)."""
    log = _UNANSWERED.get()
    if log is not None and exchange.timed_out:
        log.append((server, authoritative, question))


def _unanswered(log: list[tuple[str, bool, str]]) -> tuple[Unanswered, ...]:
    by_server: dict[tuple[str, bool], list[str]] = {}
    for server, authoritative, question in log:
        by_server.setdefault((server, authoritative), []).append(question)
    # Authoritative servers first: theirs are the answers the truth is made of.
    ordered = sorted(by_server.items(), key=lambda item: (not item[0][1], item[0][0]))
    return tuple(Unanswered(server, auth, tuple(qs)) for (server, auth), qs in ordered)


def _silent_authorities(auth_cells: dict[str, list[Cell]]) -> list[str]:
    """Authoritative servers that gave no answer about some record while another answered."""
    silent: dict[str, None] = {}
    for column in auth_cells.values():
        if any(c.status not in NO_SIGNAL for c in column):
            for cell in column:
                if cell.status is Status.UNREACHABLE:
                    silent.setdefault(cell.resolver, None)
    return list(silent)


def _with_addresses(cell: Cell, answer: Answer | None) -> Cell:
    if answer is None or not answer.records:
        return cell
    return replace(cell, answer=cell.answer + answer.records)


def _dedupe(resolvers: Sequence[Resolver]) -> list[Resolver]:
    seen: dict[str, Resolver] = {}
    for resolver in resolvers:
        seen.setdefault(resolver.key, resolver)
    return list(seen.values())
