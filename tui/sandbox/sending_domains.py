"""Sending Domains state machine for one site: appear, initialize, get, query, authenticate.

Lifecycle: sender details on a custom domain create the domain ``INITIALIZING`` (no records);
once ``initializing_seconds`` of world time pass it becomes ``NOT_AUTHENTICATED`` with 3-5 CNAME
records (or ``AUTHENTICATED`` directly when Wix manages the domain's DNS). That transition is
evaluated lazily on every read, so nothing runs in the background.

Choices where the fact sheet is silent [INFERRED]:

- Authenticate while ``INITIALIZING`` -> 428 ``SENDING_DOMAIN_NOT_READY``.
- Authenticate when the DNS check fails -> 428 ``DNS_RECORDS_NOT_FOUND``, ``data.missingHostNames``.
- Authenticate on an ``AUTHENTICATED`` domain -> 200 with the domain (idempotent). Any other
  (unknown) status -> 428 ``SENDING_DOMAIN_NOT_READY`` too.
- Authenticate success body: ``{"sendingDomain": ...}`` (Wix convention).
- Query paging: ``paging {limit, offset}`` or ``cursorPaging {limit}``; limits above 50 are capped
  at 50 (the documented maximum result count); ``cursors`` is always ``{}``.
- Query with a non-empty ``sort`` -> 400 (sorting is documented as unsupported); ``"sort": []``
  is accepted as "no sort".
"""

from __future__ import annotations

import hashlib
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
from tui.sandbox.validation import is_custom_domain

QUERY_MAX_RESULTS = 50
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


def get(site: Site, domain_id: str, now: datetime) -> SendingDomain:
    require_sender_details(site)
    domain = site.sending_domains.get(domain_id)
    if domain is None:
        raise not_found("sending domain", domain_id)
    return refresh(domain, now)


@dataclass(frozen=True)
class DomainQuery:
    ids: tuple[str, ...] | None
    domains: tuple[str, ...] | None
    limit: int
    offset: int


def parse_query(body: dict[str, Any]) -> DomainQuery:
    query = body.get("query")
    if query is None:
        raise _no_sender_details()
    if not isinstance(query, dict):
        raise invalid([violation("query", "must be an object", "FORMAT")])
    if query.get("sort"):
        raise invalid([violation("query.sort", "sorting is not supported", "CUSTOM")])
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
    limit, offset = _paging(query)
    return DomainQuery(values.get("id"), values.get("domain"), limit, offset)


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


def _paging(query: dict[str, Any]) -> tuple[int, int]:
    for key in ("paging", "cursorPaging"):
        paging = query.get(key)
        if paging is None:
            continue
        if not isinstance(paging, dict):
            raise invalid([violation(f"query.{key}", "must be an object", "FORMAT")])
        limit = paging.get("limit", QUERY_MAX_RESULTS)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise invalid([violation(f"query.{key}.limit", "must be a positive integer", "MIN")])
        offset = paging.get("offset", 0) if key == "paging" else 0
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise invalid([violation("query.paging.offset", "must be 0 or more", "MIN")])
        return min(limit, QUERY_MAX_RESULTS), offset
    return QUERY_MAX_RESULTS, 0


def query(site: Site, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    require_sender_details(site)  # first: *every* call without sender details is a 428
    parsed = parse_query(body)
    ids = set(parsed.ids) if parsed.ids is not None else None
    names = {d.lower() for d in parsed.domains} if parsed.domains is not None else None
    matches = [
        refresh(domain, now)
        for domain in site.sending_domains.values()
        if (ids is None or domain.id in ids) and (names is None or domain.domain.lower() in names)
    ]
    chunk = matches[parsed.offset : parsed.offset + parsed.limit]
    return {
        "sendingDomains": [domain.to_json() for domain in chunk],
        "pagingMetadata": {
            "count": len(chunk),
            "cursors": {},
            "hasNext": parsed.offset + len(chunk) < len(matches),
        },
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
) -> SendingDomain:
    domain = get(site, pending.domain_id, now)  # may have changed while DNS was checked
    if domain.status == AUTHENTICATED:
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
