"""Sending Domains state machine for one site: appear, initialize, get, query, authenticate.

Lifecycle: sender details on a custom domain create the domain ``INITIALIZING`` (no records);
once ``initializing_seconds`` of world time pass it becomes ``NOT_AUTHENTICATED`` with 3-5 CNAME
records (or ``AUTHENTICATED`` directly when Wix manages the domain's DNS). That transition is
evaluated lazily on every read, so nothing runs in the background.

The sender-details gate (fact sheet §1.7), per domain: a sending domain is *reachable* only
while some sender details of the site use an address on it ("You can only retrieve sending
domain if you have sender details entry with the requested domain").

- A site with no sender details at all: every call is 428 ``SENDER_DETAILS_DO_NOT_EXIST``,
  checked first (even before the request body).
- Get and Authenticate of a domain that is not reachable (its sender details were deleted, or
  moved to an address on another domain): the same 428. An unknown id is a 404.
- Query lists reachable domains only. It answers the 428 instead when it would list nothing
  and the filter asked for something the gate hides: a matching domain that is not reachable,
  or a ``domain`` value that no sender details of the site use [INFERRED: the fact sheet gives
  the rule per requested domain, not how a mixed ``$in`` is answered; a mixed one lists the
  reachable domains]. A query without a filter is the same 428 (documented).
- A domain that is not reachable keeps its state (status, records, id): sender details on it
  again make it reachable as it was [INFERRED].

Choices where the fact sheet is silent [INFERRED]:

- Authenticate while ``INITIALIZING`` -> 428 ``SENDING_DOMAIN_NOT_READY``: a refusal distinct
  from a failed DNS check (§1.6).
- Authenticate when the DNS check fails -> 428 ``DNS_RECORDS_NOT_FOUND``, ``data.missingHostNames``;
  or, with the world's ``failed_check_answer`` switched to 200
  (``POST /_sandbox/sending-domains/failed-check``), 200 ``{"sendingDomain": ...}`` with the
  domain still ``NOT_AUTHENTICATED`` -- the other way Wix may answer a failed attempt (§1.6).
- Authenticate on an ``AUTHENTICATED`` domain -> 200 with the domain (idempotent). Any other
  (unknown) status -> 428 ``SENDING_DOMAIN_NOT_READY`` too.
- Authenticate success body: ``{"sendingDomain": ...}`` (Wix convention).
- Query paging is cursor paging only (§1.5): ``cursorPaging {limit, cursor}``, and ``paging
  {limit}`` (the name the doc page uses). ``limit`` 0-100 (default 50), at most 50 results per
  page (the documented maximum), ``cursor`` at most 1000 characters. ``paging.offset`` -- or a
  cursor inside ``paging`` -- is a 400 that says to use ``cursorPaging``. A next page comes with
  ``cursors.next``; a request with a cursor pages the filter of the first request (a filter
  sent with it is ignored, as "following requests use the cursor token and not filter").
  The filter itself stays on the server (the last :data:`KEPT_QUERY_FILTERS` per site), so a
  cursor stays short however long the ``$in`` list was; a cursor from before a reset is a 400.
- Query with a non-empty ``sort`` -> 400 (sorting is documented as unsupported); ``"sort": []``
  is accepted as "no sort".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tui.sandbox.errors import SandboxError, failed_precondition, invalid, not_found, violation
from tui.sandbox.models import (
    AUTHENTICATED,
    INITIALIZING,
    NOT_AUTHENTICATED,
    DnsRecord,
    Env,
    SendingDomain,
    Site,
)
from tui.sandbox.paging import (
    MAX_LIMIT,
    check_cursor_length,
    check_limit,
    decode_cursor,
    encode_cursor,
)
from tui.sandbox.validation import email_domain, is_custom_domain

QUERY_MAX_RESULTS = 50
QUERY_DEFAULT_LIMIT = 50
KEPT_QUERY_FILTERS = 256
CURSOR_KIND = "sending-domains"
FILTERABLE_FIELDS = ("id", "domain")
NO_SENDER_DETAILS_MESSAGE = "cannot access requested sending domain"


def dns_records_for(domain: str) -> tuple[DnsRecord, ...]:
    """3-5 CNAMEs, the same for a domain every time, shaped like Wix's (fact sheet §1.2)."""
    domain = domain.lower()
    digest = hashlib.sha256(domain.encode()).digest()
    shard = f"s{digest[0] % 9 + 1:03d}"
    hosts = ["s1._domainkey", "s2._domainkey", "sg"]
    hosts += ["sel1._domainkey", "sel2._domainkey"][: digest[1] % 3]
    return tuple(
        DnsRecord(f"{host}.{domain}", f"{host}.{domain}.{shard}.ascendbywix.com") for host in hosts
    )


def refresh(domain: SendingDomain, now: datetime) -> SendingDomain:
    """Finish INITIALIZING if its time has come (lazy evaluation on read)."""
    if domain.status == INITIALIZING and now >= domain.ready_at:
        domain.status = AUTHENTICATED if domain.wix_managed else NOT_AUTHENTICATED
    return domain


def refresh_all(site: Site, now: datetime) -> None:
    for domain in site.sending_domains.values():
        refresh(domain, now)


def find_by_name(site: Site, name: str) -> SendingDomain | None:
    for domain in site.sending_domains.values():
        if domain.domain.lower() == name.lower():
            return domain
    return None


def ensure_for_domain(site: Site, name: str, env: Env) -> SendingDomain | None:
    """The site's sending domain for ``name``, created INITIALIZING if it is a new custom domain."""
    name = name.lower()
    if not is_custom_domain(name):
        return None
    existing = find_by_name(site, name)
    if existing is not None:
        return existing
    domain = SendingDomain(
        id=env.new_id(),
        domain=name,
        status=INITIALIZING,
        created=env.now,
        ready_at=env.now + timedelta(seconds=env.initializing_seconds),
        records=dns_records_for(name),
        wix_managed=name in site.wix_managed_domains,
    )
    site.sending_domains[domain.id] = domain
    return domain


def require_sender_details(site: Site) -> None:
    """Every Sending Domains call needs sender details on the site first (fact sheet §1.7)."""
    if not site.sender_details:
        raise _no_sender_details()


def _no_sender_details() -> SandboxError:
    return failed_precondition("SENDER_DETAILS_DO_NOT_EXIST", NO_SENDER_DETAILS_MESSAGE)


def used_domains(site: Site) -> set[str]:
    """The (lower-case) domains of the addresses the site's sender details use."""
    return {email_domain(d.from_email_address).lower() for d in site.sender_details.values()}


def is_reachable(site: Site, domain: SendingDomain) -> bool:
    """Whether some sender details of the site use an address on ``domain`` (the gate)."""
    return domain.domain.lower() in used_domains(site)


def get(site: Site, domain_id: str, now: datetime) -> SendingDomain:
    require_sender_details(site)
    domain = site.sending_domains.get(domain_id)
    if domain is None:
        raise not_found("sending domain", domain_id)
    if not is_reachable(site, domain):
        raise _no_sender_details()
    return refresh(domain, now)


@dataclass(frozen=True)
class DomainQuery:
    ids: tuple[str, ...] | None
    domains: tuple[str, ...] | None
    limit: int
    offset: int


def parse_query(site: Site, body: dict[str, Any]) -> DomainQuery:
    query = body.get("query")
    if query is None:
        raise _no_sender_details()
    if not isinstance(query, dict):
        raise invalid([violation("query", "must be an object", "FORMAT")])
    if query.get("sort"):
        raise invalid([violation("query.sort", "sorting is not supported", "CUSTOM")])
    limit, cursor = _paging(query)
    if cursor is not None:
        ids, domains, offset = _from_cursor(site, cursor)
        return DomainQuery(ids, domains, limit, offset)
    filter_ = query.get("filter")
    if filter_ is not None and not isinstance(filter_, dict):
        raise invalid([violation("query.filter", "must be an object", "FORMAT")])
    if not filter_:
        raise _no_sender_details()
    values: dict[str, tuple[str, ...]] = {}
    for field, condition in filter_.items():
        if field not in FILTERABLE_FIELDS:
            raise invalid(
                [
                    violation(
                        f"query.filter.{field}",
                        "only id and domain can be filtered (with $eq or $in)",
                        "CUSTOM",
                    )
                ]
            )
        values[field] = _filter_values(field, condition)
    return DomainQuery(values.get("id"), values.get("domain"), limit, 0)


def _filter_values(field: str, condition: Any) -> tuple[str, ...]:
    def bad(description: str) -> SandboxError:
        return invalid([violation(f"query.filter.{field}", description, "CUSTOM")])

    if isinstance(condition, str):
        return (condition,)
    if not isinstance(condition, dict) or len(condition) != 1:
        raise bad('must be a string, {"$eq": value} or {"$in": [values]}')
    operator, operand = next(iter(condition.items()))
    if operator == "$eq" and isinstance(operand, str):
        return (operand,)
    if operator == "$in" and isinstance(operand, list) and all(isinstance(v, str) for v in operand):
        return tuple(operand)
    if operator in ("$eq", "$in"):
        raise bad(f"{operator} needs {'a string' if operator == '$eq' else 'a list of strings'}")
    raise bad(f"operator {operator} is not supported; use $eq or $in")


def _paging(query: dict[str, Any]) -> tuple[int, str | None]:
    """(limit, cursor or None) from ``cursorPaging`` or ``paging``; offset paging is refused."""
    given = [key for key in ("cursorPaging", "paging") if query.get(key) is not None]
    if len(given) > 1:
        raise invalid(
            [violation("query.paging", "send cursorPaging or paging, not both", "CUSTOM")]
        )
    if not given:
        return QUERY_DEFAULT_LIMIT, None
    key = given[0]
    paging = query[key]
    if not isinstance(paging, dict):
        raise invalid([violation(f"query.{key}", "must be an object", "FORMAT")])
    if key == "paging":
        for unsupported in ("offset", "cursor"):
            if paging.get(unsupported) is not None:
                raise invalid(
                    [
                        violation(
                            f"query.paging.{unsupported}",
                            f"{unsupported} is not supported by Query Sending Domains, which "
                            "pages with a cursor: send cursorPaging {limit, cursor} and follow "
                            "pagingMetadata.cursors.next",
                            "CUSTOM",
                        )
                    ]
                )
    limit = paging.get("limit")
    if limit is None:
        limit = QUERY_DEFAULT_LIMIT
    elif isinstance(limit, bool) or not isinstance(limit, int):
        raise invalid(
            [violation(f"query.{key}.limit", f"must be an integer from 0 to {MAX_LIMIT}", "FORMAT")]
        )
    else:
        check_limit(limit, f"query.{key}.limit")
    cursor = paging.get("cursor") if key == "cursorPaging" else None
    if cursor is None or cursor == "":
        return limit, None
    if not isinstance(cursor, str):
        raise invalid([violation("query.cursorPaging.cursor", "must be a string", "FORMAT")])
    check_cursor_length(cursor, "query.cursorPaging.cursor")
    return limit, cursor


def _filter_key(ids: tuple[str, ...] | None, domains: tuple[str, ...] | None) -> str:
    canonical = json.dumps([ids, domains], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _make_cursor(site: Site, query: DomainQuery, offset: int) -> str:
    key = _filter_key(query.ids, query.domains)
    site.query_filters.pop(key, None)  # most recently used last
    site.query_filters[key] = (query.ids, query.domains)
    while len(site.query_filters) > KEPT_QUERY_FILTERS:
        site.query_filters.pop(next(iter(site.query_filters)))
    return encode_cursor(CURSOR_KIND, offset, {"q": key})


def _from_cursor(
    site: Site, cursor: str
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None, int]:
    field = "query.cursorPaging.cursor"
    offset, doc = decode_cursor(CURSOR_KIND, cursor, field)
    kept = site.query_filters.get(doc.get("q")) if isinstance(doc.get("q"), str) else None
    if kept is None:
        raise invalid(
            [
                violation(
                    field,
                    "is not a cursor of this site's recent queries (it is from before a reset, "
                    "or too old); send the query with its filter again",
                    "FORMAT",
                )
            ]
        )
    return kept[0], kept[1], offset


def query(site: Site, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    require_sender_details(site)  # first: *every* call without sender details is a 428
    parsed = parse_query(site, body)
    ids = set(parsed.ids) if parsed.ids is not None else None
    names = {d.lower() for d in parsed.domains} if parsed.domains is not None else None
    matches = [
        domain
        for domain in site.sending_domains.values()
        if (ids is None or domain.id in ids) and (names is None or domain.domain.lower() in names)
    ]
    used = used_domains(site)
    reachable = [refresh(d, now) for d in matches if d.domain.lower() in used]
    gated = len(reachable) < len(matches) or bool(names and not names <= used)
    if not reachable and gated:
        raise _no_sender_details()
    end = parsed.offset + min(parsed.limit, QUERY_MAX_RESULTS)
    chunk = reachable[parsed.offset : end]
    has_next = end < len(reachable)
    cursors = {"next": _make_cursor(site, parsed, end)} if has_next else {}
    return {
        "sendingDomains": [domain.to_json() for domain in chunk],
        "pagingMetadata": {"count": len(chunk), "cursors": cursors, "hasNext": has_next},
    }


@dataclass(frozen=True)
class PendingCheck:
    """An authentication that needs the DNS check (run outside the world lock)."""

    domain_id: str
    domain: str
    records: tuple[tuple[str, str], ...]


def begin_authentication(site: Site, domain_id: str, now: datetime) -> SendingDomain | PendingCheck:
    """Either the final answer (already authenticated) or the DNS check to run."""
    domain = get(site, domain_id, now)
    if domain.status == AUTHENTICATED:
        return domain
    if domain.status != NOT_AUTHENTICATED:
        raise failed_precondition(
            "SENDING_DOMAIN_NOT_READY",
            f"sending domain {domain.domain} is {domain.status}; its DNS records are not ready "
            "to be authenticated yet",
            {"status": domain.status},
        )
    records = tuple((r.host_name, r.value) for r in domain.records)
    return PendingCheck(domain.id, domain.domain, records)


def finish_authentication(
    site: Site,
    pending: PendingCheck,
    passed: bool,
    missing: Sequence[str],
    detail: str,
    now: datetime,
    *,
    failed_check_answer: int = 428,
) -> SendingDomain:
    """The domain after the attempt; a failed DNS check raises the 428, or (with
    ``failed_check_answer`` 200) returns the domain unchanged, still ``NOT_AUTHENTICATED``."""
    domain = get(site, pending.domain_id, now)  # may have changed while DNS was checked
    if domain.status == AUTHENTICATED:
        return domain
    if not passed and failed_check_answer == 200:
        return domain
    if not passed:
        reason = detail or "CNAME records not found: " + (", ".join(missing) or "all")
        raise failed_precondition(
            "DNS_RECORDS_NOT_FOUND",
            f"cannot authenticate {domain.domain}: {reason}",
            {"missingHostNames": list(missing)},
        )
    if domain.status == NOT_AUTHENTICATED:
        domain.status = AUTHENTICATED
    return domain
