"""Named starting worlds: who the sites are and how far their setup has got.

Everything here is fixed (ids, keys, domains) so README examples and tests can use literal
values. Custom domains use the reserved ``.example`` TLD; only public mailbox domains are real
names. The credentials are sandbox fixtures, not secrets: they open nothing outside the sandbox.

Entity ids created while seeding (sender emails, sender details, sending domains) come from a
random generator seeded with the scenario name, so they are also the same on every run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tui.sandbox.scopes import AUTOMATIONS, SENDING_DOMAINS_READ

# One sandbox Wix app installed on every site (each installation has its own instance id).
SANDBOX_APP_ID = "4f541411-f13c-425e-99fa-33bf68f4ab43"
SANDBOX_APP_SECRET = "sandbox-app-secret.pB1SzUMsWqbN1VuyG32JS4XMBk0_UVTY"  # noqa: S105 - fixture

# What a site's restricted API key may do: read sending domains and use the sender-emails and
# sender-details routes, but not authenticate a domain nor read account details. It lets clients
# be tested against a 403 for a missing permission (fact sheet §5.1).
RESTRICTED_KEY_SCOPES: frozenset[str] = frozenset({SENDING_DOMAINS_READ, AUTOMATIONS})


@dataclass(frozen=True)
class SiteCredentials:
    """What a user of the sandbox needs to call it as a site owner (API key) or app (OAuth)."""

    name: str
    site_id: str
    api_key: str
    app_id: str
    app_secret: str
    instance_id: str
    owner_email: str  # the Wix login email: auto-verified as a sender email
    # A second key of the same account holding only RESTRICTED_KEY_SCOPES, i.e.
    # SCOPE.SENDING-DOMAINS.READ and SCOPE.CRM.ACCESS-VERTICALS-BY-AUTOMATIONS: sending domains
    # can be read and the sender-emails/-details routes used, but authenticating a domain or
    # reading account details is a 403. "" when the site has none. ``api_key`` holds every scope.
    restricted_api_key: str = ""


@dataclass(frozen=True)
class SenderEmailSeed:
    address: str
    verified: bool = False
    code_sent: bool = False  # a verification code is already waiting in the mailbox
    age_hours: float = 24.0


@dataclass(frozen=True)
class SenderSeed:
    from_name: str
    address: str  # must be a verified sender email seeded on the same site
    default: bool = False
    age_hours: float = 24.0


@dataclass(frozen=True)
class DomainSeed:
    domain: str
    status: str  # raw: may be an undocumented value on purpose
    published: bool = False  # its CNAME records are already "in DNS"
    age_hours: float = 0.0


@dataclass(frozen=True)
class SiteSeed:
    name: str
    site_id: str
    account_id: str
    api_key: str
    instance_id: str
    owner_email: str
    restricted_api_key: str = ""  # holds RESTRICTED_KEY_SCOPES only; "" for none
    package_id: str = "Free"
    account_status: str = "ACTIVE"
    emails_used: int = 0
    campaigns_used: int = 0
    business_mailboxes: tuple[str, ...] = ()  # Wix-bought mailboxes: auto-verified
    wix_managed_domains: tuple[str, ...] = ()  # DNS managed by Wix: authenticate by themselves
    sender_emails: tuple[SenderEmailSeed, ...] = ()
    senders: tuple[SenderSeed, ...] = ()
    domains: tuple[DomainSeed, ...] = ()

    def credentials(self) -> SiteCredentials:
        return SiteCredentials(
            name=self.name,
            site_id=self.site_id,
            api_key=self.api_key,
            app_id=SANDBOX_APP_ID,
            app_secret=SANDBOX_APP_SECRET,
            instance_id=self.instance_id,
            owner_email=self.owner_email,
            restricted_api_key=self.restricted_api_key,
        )


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    sites: tuple[SiteSeed, ...]
    # Which DNS world it starts with (a plan in tui.sandbox.dns.plans): "plain" is the
    # authoritative primary + secondary and four resolvers with empty caches.
    dns_plan: str = "plain"

    def credentials(self) -> list[SiteCredentials]:
        return [site.credentials() for site in self.sites]


FRESH = Scenario(
    name="fresh",
    description="One site with nothing configured yet: no sender emails, no senders, no domains.",
    sites=(
        SiteSeed(
            name="Sunrise Bakery",
            site_id="9ff1b430-510e-4272-a868-1a47ca3c86d7",
            account_id="7bec89b9-7c79-4767-a4fb-172603869e22",
            api_key="IST.sandbox.fresh.qfyIsOHx6UhwSpJYExX_iij1ZX0khZDv",
            instance_id="fb54a40a-d1bb-4edf-9510-50b086ae3621",
            owner_email="owner.bakery@gmail.com",
        ),
    ),
)

MIDWAY = Scenario(
    name="midway",
    description=(
        "One site part-way through: a verified sender with its domain NOT_AUTHENTICATED, "
        "and a second address with a code waiting in the mailbox."
    ),
    sites=(
        SiteSeed(
            name="Harbor Ceramics",
            site_id="2288af31-df5c-4f41-a24b-4b94ce2e553a",
            account_id="1d034c18-f192-43c4-880a-ce697fc83a63",
            api_key="IST.sandbox.midway.b0KhDeUiXGyHUWNLXYA3gSMZ5gbvrVIm",
            instance_id="bef25caa-de73-4b93-b7fb-b5d6089582c2",
            owner_email="harbor.ceramics@gmail.com",
            emails_used=40,
            campaigns_used=1,
            sender_emails=(
                SenderEmailSeed("hello@harbor-ceramics.example", verified=True, age_hours=5),
                SenderEmailSeed("orders@harbor-ceramics.example", code_sent=True, age_hours=0.2),
            ),
            senders=(SenderSeed("Harbor Ceramics", "hello@harbor-ceramics.example", age_hours=3),),
            domains=(DomainSeed("harbor-ceramics.example", "NOT_AUTHENTICATED", age_hours=3),),
        ),
    ),
    # isp-1 and isp-2 looked the records up 20 minutes ago, before they were published.
    dns_plan="midway",
)

AGENCY = Scenario(
    name="agency",
    description=(
        "An agency site on the Advanced plan with senders and domains in every state "
        "(one with an undocumented status) and a second, restricted API key, plus another "
        "owner's site for cross-site 403s."
    ),
    sites=(
        SiteSeed(
            name="Northwind Studio",
            site_id="0788649a-aa3f-4119-b843-6fa67b8763d2",
            account_id="4d99db2b-01d7-4926-8b82-a07437d635b8",
            api_key="IST.sandbox.agency.YA-7hH3sDnCyZqBCuMmX6AkChaW-qyfn",
            restricted_api_key="IST.sandbox.agency-readonly.omMnNL0W7gVuEf5-BNBFu1r4GTU4kQWK",
            instance_id="c31d7c03-b07a-479c-849e-78dc9b24c955",
            owner_email="northwind.agency@gmail.com",
            package_id="Ascend_Advanced",
            emails_used=12840,
            campaigns_used=9,
            business_mailboxes=("hello@bloom-florist.example", "orders@pinecrest-bakery.example"),
            wix_managed_domains=("bloom-florist.example", "pinecrest-bakery.example"),
            sender_emails=(
                SenderEmailSeed("northwind.agency@gmail.com", verified=True, age_hours=900),
                SenderEmailSeed("news@northwind-studio.example", verified=True, age_hours=30),
                SenderEmailSeed("team@alpine-tours.example", verified=True, age_hours=200),
                SenderEmailSeed("hello@bloom-florist.example", verified=True, age_hours=100),
                SenderEmailSeed("studio@cedar-lane.example", verified=True, age_hours=50),
                SenderEmailSeed("legacy@old-harbor.example", verified=True, age_hours=2000),
                SenderEmailSeed("hello@fresh-launch.example", verified=True, age_hours=0.1),
                SenderEmailSeed("billing@northwind-studio.example", age_hours=1),
            ),
            senders=(
                SenderSeed("Northwind Studio", "news@northwind-studio.example", default=True),
                SenderSeed("Northwind (personal)", "northwind.agency@gmail.com"),
                SenderSeed("Alpine Tours", "team@alpine-tours.example"),
                SenderSeed("Bloom Florist", "hello@bloom-florist.example"),
                SenderSeed("Cedar Lane Interiors", "studio@cedar-lane.example"),
                SenderSeed("Old Harbor Co", "legacy@old-harbor.example"),
                SenderSeed("Fresh Launch", "hello@fresh-launch.example", age_hours=0),
            ),
            domains=(
                DomainSeed("fresh-launch.example", "INITIALIZING"),
                DomainSeed("northwind-studio.example", "NOT_AUTHENTICATED", age_hours=26),
                DomainSeed("alpine-tours.example", "AUTHENTICATED", published=True, age_hours=190),
                DomainSeed("bloom-florist.example", "AUTHENTICATED", published=True, age_hours=96),
                DomainSeed("cedar-lane.example", "NOT_AUTHENTICATED", published=True, age_hours=48),
                # Deliberately undocumented: proves clients keep unknown statuses as "unknown".
                DomainSeed("old-harbor.example", "DISABLED", age_hours=1900),
            ),
        ),
        SiteSeed(
            name="Maple Dental",
            site_id="1d95b408-c916-4cc2-8d6d-44228526faad",
            account_id="a2a3a31a-b443-41e2-9a31-f9ef76922331",
            api_key="IST.sandbox.agency-other.Ihc3WV3_OuCynwtSwIyimQRWwQ6yTxX8",
            instance_id="afaf9f21-56e0-4a3e-94be-e14252b04b9a",
            owner_email="dr.maple@outlook.com",
        ),
    ),
)

# One sending domain per DNS situation a propagation checker must explain; what each one shows
# is set up by tui.sandbox.dns.lab (same names, same order).
LAB_DOMAINS = (
    "queried-early.example",
    "stale-target.example",
    "wrong-target.example",
    "doubled.example",
    "relative.example",
    "typo.example",
    "conflict.example",
    "proxied.example",
    "elsewhere.example",
    "dnssec-broken.example",
    "lagging.example",
    "apex.example",
    "shared-soa.example",
    "txt-early.example",
    "dead-path.example",
    "stale-served.example",
    "wrong-host.example",
    "signed.example",
)

DNS_LAB = Scenario(
    name="dns-lab",
    description=(
        "One site whose eighteen NOT_AUTHENTICATED sending domains each show one DNS situation: "
        "queried too early, stale target, wrong target, doubled suffix, relative target, typo, "
        "conflict, proxied, wrong DNS host, DNSSEC broken, lagging secondary, apex, a shared "
        "SOA (unbound), a TXT negative, a dead path, served stale, a delegation elsewhere, "
        "aggressive NSEC."
    ),
    sites=(
        SiteSeed(
            name="DNS Lab",
            site_id="b38d1c8c-0071-4097-8de9-c189c2cdc799",
            account_id="0bc32789-7834-47ec-b4b7-36ff49f60cb4",
            api_key="IST.sandbox.dns-lab.jdx36yIeDLAAHxc3_SbbEbMKaeZF3Bh6",
            instance_id="31660286-9aea-478c-b595-2e0f3359256a",
            owner_email="dns.lab@gmail.com",
            package_id="Ascend_Advanced",  # many senders need a multi-sender plan
            sender_emails=tuple(
                SenderEmailSeed(f"hello@{domain}", verified=True, age_hours=3)
                for domain in LAB_DOMAINS
            ),
            senders=tuple(
                SenderSeed(domain.split(".")[0].replace("-", " ").title(), f"hello@{domain}")
                for domain in LAB_DOMAINS
            ),
            domains=tuple(
                DomainSeed(domain, "NOT_AUTHENTICATED", age_hours=2) for domain in LAB_DOMAINS
            ),
        ),
    ),
    dns_plan="lab",
)

# What a hostile or broken backend could send: terminal escape sequences (OSC 52 writes the
# user's clipboard, OSC 0 renames the window, SGR blinks), Rich-style markup, a bidi override
# that makes text read backwards, and a value far longer than any screen line. The app must
# show each as inert, visible text (tests/e2e/test_injection.py reads the raw terminal bytes).
HOSTILE_NAMES = (
    "Clipboard Shop\x1b]52;c;cHduZWQ=\x07",
    "\x1b]0;PWNED\x07Title Thief",
    "\u202eelpmaxe.moc Reversed",
    "[bold red]Not markup[/]\x1b[5m blink\x9b31m",
    "Long " + "x" * 10_000,
)
HOSTILE = Scenario(
    name="hostile",
    description=(
        "One site whose sender details carry terminal escape sequences, markup, a bidi override "
        "and a 10,000-character from-name, as a hostile or broken backend could send them."
    ),
    sites=(
        SiteSeed(
            name="Hostile Strings",
            site_id="5c1b4f7e-93a2-4b8e-8d61-0f2a9e7c3b14",
            account_id="8e2d0c6b-1f4a-4c3e-9b7d-6a5f4e3d2c1b",
            api_key="IST.sandbox.hostile.Q3v9WmZk2LpT7xYbN4cRs8uHj6dFe1Ga",
            instance_id="c7a1e3f5-2b4d-4f6a-8c9e-1d3b5f7a9c2e",
            owner_email="hostile.strings@gmail.com",
            package_id="Ascend_Advanced",  # several senders need a multi-sender plan
            sender_emails=tuple(
                SenderEmailSeed(f"sender{i}@hostile.example", verified=True, age_hours=3)
                for i in range(len(HOSTILE_NAMES))
            ),
            senders=tuple(
                SenderSeed(name, f"sender{i}@hostile.example", default=i == 0)
                for i, name in enumerate(HOSTILE_NAMES)
            ),
            domains=(DomainSeed("hostile.example", "NOT_AUTHENTICATED", age_hours=2),),
        ),
    ),
)

# A plan that allows one sender (Account Details says features.multipleSenderDetails: false):
# creating a second sender details is the plan's 428, and the way out on this plan -- moving the
# one sender to the other address -- closes the first domain (its 428 SENDER_DETAILS_DO_NOT_EXIST).
SINGLE_SENDER = Scenario(
    name="single-sender",
    description=(
        "One site on the Free plan, which allows one sender (features.multipleSenderDetails is "
        "false): default sender details with their domain NOT_AUTHENTICATED, and a second "
        "verified address on another domain that cannot get sender details of its own."
    ),
    sites=(
        SiteSeed(
            name="Lakeside Yoga",
            site_id="a889a8f3-f08a-4752-a7da-ed0f009fbc9b",
            account_id="379ac374-3932-46b3-88cb-d42070b22e77",
            api_key="IST.sandbox.single-sender.bUd6X0juMMfrR6K0XRZjTAh6c8mI8JzU",
            instance_id="391becfb-dc46-4088-8061-520a8ccf5748",
            owner_email="lakeside.yoga@gmail.com",
            package_id="Free",
            emails_used=120,
            sender_emails=(
                SenderEmailSeed("hello@lakeside-yoga.example", verified=True, age_hours=30),
                SenderEmailSeed("classes@lakeside-studio.example", verified=True, age_hours=2),
            ),
            senders=(SenderSeed("Lakeside Yoga", "hello@lakeside-yoga.example", age_hours=28),),
            domains=(DomainSeed("lakeside-yoga.example", "NOT_AUTHENTICATED", age_hours=28),),
        ),
    ),
)

# Nothing wrong anywhere, for checks that must find nothing -- and a base for
# ``POST /_sandbox/break``, which puts exactly one problem into it. The zone of HEALTHY_DOMAIN
# also holds one SPF and one DMARC record (tui.sandbox.dns.healthy).
HEALTHY_DOMAIN = "maple-books.example"
HEALTHY = Scenario(
    name="healthy",
    description=(
        "One site with nothing wrong: an ACTIVE account with quota left, one verified sender "
        f"on {HEALTHY_DOMAIN} as the default sender, the domain AUTHENTICATED with its CNAMEs "
        "published 200 h ago, one SPF and one DMARC record in its zone, and a restricted key."
    ),
    sites=(
        SiteSeed(
            name="Maple Books",
            site_id="d2c924b2-715f-44c3-8c0e-619cceb9e121",
            account_id="8d093154-1baf-4e64-8644-d3090f1d81a0",
            api_key="IST.sandbox.healthy.X4pyQ3UDs0dziuhpd6DQX_TFKhY64CHu",
            restricted_api_key="IST.sandbox.healthy-readonly.Gmg447euWcAXglj0M4w8PesFX6Il-Hw3",
            instance_id="6fcb8e63-a1f2-497f-918c-759cd00c9b93",
            owner_email="maple.books@gmail.com",
            package_id="Ascend_Basic",  # one sender allowed; 9500 emails a month
            emails_used=1830,
            campaigns_used=2,
            sender_emails=(
                SenderEmailSeed(f"hello@{HEALTHY_DOMAIN}", verified=True, age_hours=220),
            ),
            senders=(SenderSeed("Maple Books", f"hello@{HEALTHY_DOMAIN}", age_hours=210),),
            domains=(DomainSeed(HEALTHY_DOMAIN, "AUTHENTICATED", published=True, age_hours=200),),
        ),
    ),
    dns_plan="healthy",
)

SCENARIOS: Mapping[str, Scenario] = MappingProxyType(
    {
        scenario.name: scenario
        for scenario in (FRESH, MIDWAY, AGENCY, DNS_LAB, HOSTILE, SINGLE_SENDER, HEALTHY)
    }
)
