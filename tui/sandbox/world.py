"""The simulated Wix backend: every site's state, the mailbox, tokens, limits, faults and DNS.

Pure Python, no HTTP. One re-entrant lock guards all state because the server answers on its
own thread while tests or the demo may poke the world directly (take ``world.lock`` to do several
things atomically). All time comes from one :class:`~tui.clock.ScaledClock`, never the system
clock, so the world can run faster than real time or jump forward.

Methods that serve Wix endpoints return the JSON-ready response bodies and raise
:class:`~tui.sandbox.errors.SandboxError` for refusals.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from tui.clock import ScaledClock
from tui.sandbox import scopes, sender_details, sender_emails, sending_domains
from tui.sandbox.auth import (
    ApiKey,
    AppCredentials,
    SiteAccess,
    TokenStore,
    authenticate,
    issue_token,
)
from tui.sandbox.bounds import MAX_INITIALIZING_SECONDS, checked_number
from tui.sandbox.dns.verifier import InProcessVerifierCheck
from tui.sandbox.dns.world import DnsOptions, DnsWorld, DomainDns
from tui.sandbox.dnscheck import DnsCheck
from tui.sandbox.errors import ControlError, SandboxError
from tui.sandbox.faults import FaultRegistry
from tui.sandbox.models import INITIALIZING, Env, MailMessage, SendingDomain, Site
from tui.sandbox.ratelimit import DEFAULT_PER_MINUTE, RateLimiter
from tui.sandbox.routes import ROUTE_NAMES
from tui.sandbox.scenarios import (
    SANDBOX_APP_ID,
    SANDBOX_APP_SECRET,
    SCENARIOS,
    Scenario,
    SiteCredentials,
)
from tui.sandbox.seed import seed

DEFAULT_INITIALIZING_SECONDS = 120.0
FAILED_CHECK_ANSWERS = (428, 200)


def _initializing(seconds: float) -> float:
    # Checked here as well as at the control route: the world's JSON views and domain timers
    # break for good on a NaN or an overflowing value, whoever passes it in.
    return float(checked_number("initializingSeconds", seconds, 0, MAX_INITIALIZING_SECONDS))


class World:
    def __init__(
        self,
        scenario: str = "fresh",
        *,
        clock: ScaledClock | None = None,
        initializing_seconds: float = DEFAULT_INITIALIZING_SECONDS,
        dns_check: DnsCheck | None = None,
        dns_options: DnsOptions | None = None,
        fault_preset: str | None = None,
    ) -> None:
        """``fault_preset``: a named set of faults (tui/sandbox/faults.py) installed now and
        after every reset; ``ValueError`` if there is no such preset."""
        self.clock = clock or ScaledClock()
        self.lock = threading.RLock()
        self.initializing_seconds = _initializing(initializing_seconds)
        # The DNS world shares the lock: world.lock makes Wix and DNS changes atomic together.
        self.dns = DnsWorld(self.clock, self.lock, dns_options)
        self.dns_check: DnsCheck = dns_check or InProcessVerifierCheck(self.dns)
        self.faults = FaultRegistry(ROUTE_NAMES, preset=fault_preset)
        self.tokens = TokenStore()
        self.rate_limiter = RateLimiter()
        self.app = AppCredentials(SANDBOX_APP_ID, SANDBOX_APP_SECRET)
        self.mailbox: list[MailMessage] = []
        self.sites: dict[str, Site] = {}
        self.api_keys: dict[str, ApiKey] = {}
        self.scenario: Scenario = SCENARIOS["fresh"]
        # How Authenticate answers a failed DNS check: 428 DNS_RECORDS_NOT_FOUND, or 200 with
        # the domain still NOT_AUTHENTICATED (fact sheet §1.6). Back to 428 on every reset.
        self.failed_check_answer = 428
        self._rng = random.Random()
        self.reset(scenario)

    # -- lifecycle -------------------------------------------------------------------------

    def reset(
        self, scenario: str | None = None, *, initializing_seconds: float | None = None
    ) -> None:
        """Reseed from a scenario (default: the current one) and forget everything transient:
        mailbox, faults, tokens, rate counters, the rate limit, how a failed DNS check is
        answered, and the whole DNS world (zones, resolver caches). The clock is left alone
        (time only moves forward)."""
        name = scenario or self.scenario.name
        if name not in SCENARIOS:
            raise ControlError(
                400, f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}"
            )
        if initializing_seconds is not None:
            initializing_seconds = _initializing(initializing_seconds)
        with self.lock:
            if initializing_seconds is not None:
                self.initializing_seconds = initializing_seconds
            self.scenario = SCENARIOS[name]
            self._rng = random.Random(f"wix-sandbox:{name}")
            self.mailbox.clear()
            self.faults.clear()
            self.faults.apply_preset()
            self.tokens.clear()
            self.rate_limiter.reset(DEFAULT_PER_MINUTE)
            self.failed_check_answer = 428
            env = self._env()
            seeded = seed(self.scenario, env)
            self.sites, self.api_keys = seeded.sites, seeded.api_keys
            self.dns.reseed(self.scenario.dns_plan, self._dns_domains(seeded.published))
            for sent in seeded.codes_sent:
                self.mailbox.append(
                    MailMessage(sent.to, sent.code, env.now, sent.site_id, sent.sender_email_id)
                )

    @property
    def credentials(self) -> list[SiteCredentials]:
        return self.scenario.credentials()

    def now(self) -> datetime:
        return self.clock.now()

    def _dns_domains(self, published: Collection[str] = ()) -> list[DomainDns]:
        domains = [d for site in self.sites.values() for d in site.sending_domains.values()]
        return [DomainDns.of(d, published=d.domain in published) for d in domains]

    def _env(self) -> Env:
        return Env(
            now=self.clock.now(),
            new_id=lambda: str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            new_code=lambda: f"{self._rng.randrange(100_000, 1_000_000)}",
            initializing_seconds=self.initializing_seconds,
        )

    def site(self, site_id: str) -> Site:
        """A site by id (403 like Wix when it is unknown, e.g. after a reset)."""
        found = self.sites.get(site_id)
        if found is None:
            raise SandboxError(403, "PERMISSION_DENIED", f"site {site_id!r} is not accessible")
        return found

    # -- auth and limits -------------------------------------------------------------------

    def admit(self, headers: Mapping[str, str], scope: str | None) -> str:
        """Authenticate a Wix API request, check it holds ``scope`` (None: no scope needed), and
        count it against the site's rate limit; returns the site id.

        A refusal for a missing scope is not counted, like every other refusal by auth.
        """
        with self.lock:
            now = self.clock.monotonic()
            access = {
                s.site_id: SiteAccess(s.site_id, s.account_id, s.instance_id)
                for s in self.sites.values()
            }
            caller = authenticate(
                headers, sites=access, api_keys=self.api_keys, tokens=self.tokens, now=now
            )
            scopes.require(caller.scopes, scope)
            self.rate_limiter.hit(caller.site_id, now)
            return caller.site_id

    def issue_token(self, body: Any) -> dict[str, Any]:
        with self.lock:
            instances = {s.instance_id: s.site_id for s in self.sites.values()}
            return issue_token(
                body,
                app=self.app,
                instances=instances,
                tokens=self.tokens,
                now=self.clock.monotonic(),
            )

    def expire_tokens(self) -> int:
        with self.lock:
            return self.tokens.expire_all(self.clock.monotonic())

    def set_failed_check_answer(self, status: int) -> None:
        """428 (the default) or 200: how Authenticate answers a failed DNS check."""
        if status not in FAILED_CHECK_ANSWERS:
            raise ControlError(400, "answer must be 428 or 200")
        with self.lock:
            self.failed_check_answer = status

    def set_rate_limit(self, per_minute: int) -> None:
        with self.lock:
            self.rate_limiter.reset(per_minute)

    # -- sender emails ---------------------------------------------------------------------

    def create_sender_email(self, site_id: str, payload: Any) -> dict[str, Any]:
        with self.lock:
            created = sender_emails.create(self.site(site_id), payload, self._env())
            return {"senderEmail": created.to_json()}

    def get_sender_email(self, site_id: str, sender_email_id: str) -> dict[str, Any]:
        with self.lock:
            found = sender_emails.find(self.site(site_id), sender_email_id)
            return {"senderEmail": found.to_json()}

    def list_sender_emails(
        self, site_id: str, email_address: str | None, limit: str | None, cursor: str | None
    ) -> dict[str, Any]:
        with self.lock:
            return sender_emails.listing(self.site(site_id), email_address, limit, cursor)

    def get_or_create_sender_email(self, site_id: str, address: Any) -> dict[str, Any]:
        with self.lock:
            found = sender_emails.get_or_create(self.site(site_id), address, self._env())
            return {"senderEmail": found.to_json()}

    def send_verification_code(self, site_id: str, sender_email_id: str) -> dict[str, Any]:
        with self.lock:
            env = self._env()
            sender_email, code = sender_emails.send_verification_code(
                self.site(site_id), sender_email_id, env
            )
            self.mailbox.append(
                MailMessage(sender_email.email_address, code, env.now, site_id, sender_email.id)
            )
            return {}

    def verify_sender_email(
        self, site_id: str, sender_email_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self.lock:
            sender_emails.verify(self.site(site_id), sender_email_id, body, self._env())
            return {}

    def delete_sender_email(self, site_id: str, sender_email_id: str) -> dict[str, Any]:
        with self.lock:
            sender_emails.delete(self.site(site_id), sender_email_id)
            return {}

    # -- sender details --------------------------------------------------------------------

    def create_sender_details(self, site_id: str, payload: Any) -> dict[str, Any]:
        with self.lock:
            created = sender_details.create(self.site(site_id), payload, self._env())
            self.dns.sync_domains(self._dns_domains())  # a new sending domain gets its zone
            return {"senderDetails": created.to_json()}

    def get_sender_details(self, site_id: str, sender_details_id: str) -> dict[str, Any]:
        with self.lock:
            found = sender_details.find(self.site(site_id), sender_details_id)
            return {"senderDetails": found.to_json()}

    def list_sender_details(
        self, site_id: str, limit: str | None, cursor: str | None
    ) -> dict[str, Any]:
        with self.lock:
            return sender_details.listing(self.site(site_id), limit, cursor)

    def update_sender_details(
        self, site_id: str, sender_details_id: str, payload: Any
    ) -> dict[str, Any]:
        with self.lock:
            updated = sender_details.update(
                self.site(site_id), sender_details_id, payload, self._env()
            )
            self.dns.sync_domains(self._dns_domains())
            return {"senderDetails": updated.to_json()}

    def delete_sender_details(self, site_id: str, sender_details_id: str) -> dict[str, Any]:
        with self.lock:
            sender_details.delete(self.site(site_id), sender_details_id)
            return {}

    def mark_sender_details_default(self, site_id: str, sender_details_id: str) -> dict[str, Any]:
        with self.lock:
            sender_details.mark_as_default(self.site(site_id), sender_details_id, self._env())
            return {}  # Wix answers an empty object, not the sender (fact sheet §3.1)

    def get_default_sender_details(self, site_id: str) -> dict[str, Any]:
        with self.lock:
            return {"senderDetails": sender_details.get_default(self.site(site_id)).to_json()}

    # -- sending domains -------------------------------------------------------------------

    def get_sending_domain(self, site_id: str, domain_id: str) -> dict[str, Any]:
        with self.lock:
            found = sending_domains.get(self.site(site_id), domain_id, self.clock.now())
            return {"sendingDomain": found.to_json()}

    def query_sending_domains(self, site_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            return sending_domains.query(self.site(site_id), body, self.clock.now())

    async def authenticate_sending_domain(self, site_id: str, domain_id: str) -> dict[str, Any]:
        """Run the DNS check outside the lock: it may be slow (a real DNS world)."""
        with self.lock:
            step = sending_domains.begin_authentication(
                self.site(site_id), domain_id, self.clock.now()
            )
            if not isinstance(step, sending_domains.PendingCheck):
                return {"sendingDomain": step.to_json()}
        result = await self.dns_check.check(step.domain, step.records)
        with self.lock:
            done = sending_domains.finish_authentication(
                self.site(site_id),
                step,
                result.passed,
                result.missing,
                result.detail,
                self.clock.now(),
                failed_check_answer=self.failed_check_answer,
            )
            return {"sendingDomain": done.to_json()}

    # -- account ---------------------------------------------------------------------------

    def account_details(self, site_id: str) -> dict[str, Any]:
        with self.lock:
            return {"accountDetails": self.site(site_id).account.to_json(self.clock.now())}

    # -- sandbox-only views and levers (used by the control routes and tests) --------------

    def resolve_site_id(self, site_id: str | None) -> str:
        """``site_id`` itself, or the only site's id when it is omitted."""
        with self.lock:
            if site_id is None:
                if len(self.sites) != 1:
                    raise ControlError(
                        400, f"siteId is required: this world has {len(self.sites)} sites"
                    )
                return next(iter(self.sites))
            if site_id not in self.sites:
                raise ControlError(404, f"no site with id {site_id!r}")
            return site_id

    def messages(self, to: str | None = None, site_id: str | None = None) -> list[MailMessage]:
        """Mailbox contents, oldest first, optionally for one address and/or site."""
        with self.lock:
            return [
                m
                for m in self.mailbox
                if (to is None or m.to.casefold() == to.casefold())
                and (site_id is None or m.site_id == site_id)
            ]

    def latest_code(self, to: str) -> str | None:
        found = self.messages(to=to)
        return found[-1].code if found else None

    def domain_for_control(self, site_id: str | None, name: str) -> tuple[str, SendingDomain]:
        """(site id, sending domain) for a domain name; ``site_id`` may be omitted when only
        one site has that domain."""
        with self.lock:
            candidates = [site_id] if site_id is not None else list(self.sites)
            hits: list[tuple[str, SendingDomain]] = []
            for candidate in candidates:
                site = self.sites.get(candidate)
                if site is None:
                    raise ControlError(404, f"no site with id {candidate!r}")
                found = sending_domains.find_by_name(site, name)
                if found is not None:
                    hits.append((candidate, sending_domains.refresh(found, self.clock.now())))
            if not hits:
                raise ControlError(404, f"no sending domain {name!r} in this world")
            if len(hits) > 1:
                raise ControlError(400, f"several sites have {name!r}; give siteId")
            return hits[0]

    def publish_records(
        self, records: Iterable[tuple[str, str]], mistake: str | None = None
    ) -> list[dict[str, Any]]:
        """Add CNAMEs at the DNS host's primary, as a user would (maybe with a mistake)."""
        return [r.to_json() for r in self.dns.publish(records, mistake)]

    def unpublish_records(self, host_names: Iterable[str]) -> list[str]:
        return self.dns.unpublish(host_names)

    def force_domain_status(self, site_id: str | None, name: str, status: str) -> dict[str, Any]:
        with self.lock:
            _, domain = self.domain_for_control(site_id, name)
            domain.status = status
            if status == INITIALIZING:
                domain.ready_at = self.clock.now() + timedelta(seconds=self.initializing_seconds)
            return domain.to_json()

    def update_account(self, site_id: str | None, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Apply already-validated changes (keys as in :meth:`Account` attributes)."""
        with self.lock:
            account = self.site(self.resolve_site_id(site_id)).account
            if "package_id" in changes:
                account.change_package(changes["package_id"])
            for key, value in changes.items():
                if key != "package_id":
                    setattr(account, key, value)
            return account.to_json(self.clock.now())
