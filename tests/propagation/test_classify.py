"""Unit tests of the classifier (pure: synthesized responses, no network), including a property
test that garbage never crashes it."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime

import dns.message
import dns.rrset
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.propagation.messages import exchange, response
from tui.propagation.answers import MAX_SHOWN_RECORDS, ede_words, read_answer
from tui.propagation.classify import (
    Truth,
    classify_authoritative,
    classify_hidden,
    classify_resolver,
)
from tui.propagation.combine import combine, worst
from tui.propagation.model import Endpoint, ExpectedRecord, Resolver, Role, Status
from tui.propagation.transport import Exchange
from tui.sanitize import is_visible

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
RECORD = ExpectedRecord("s1._domainkey.example.com", "s1.dkim.esp.example")
AUTH = Resolver("ns1", "ns1", "x", Role.AUTHORITATIVE, (Endpoint("127.0.0.1", 5300),))
PUBLIC = Resolver("r1", "r1", "x", Role.PUBLIC, (Endpoint("127.0.0.1", 5301),))
SERVED = Truth(served=True, target=RECORD.target, negative_ttl=1800)
ABSENT = Truth(served=False, target=None, negative_ttl=1800)
Q = RECORD.name


def auth(message: dns.message.Message) -> Status:
    return classify_authoritative(RECORD, AUTH, exchange(message, Q)).status


def public(message: dns.message.Message, truth: Truth = SERVED):
    return classify_resolver(RECORD, PUBLIC, exchange(message, Q), truth, NOW)


def test_authoritative_verdicts() -> None:
    cname = [(Q, 3600, "CNAME", RECORD.target + ".")]
    assert auth(response(Q, answer=cname, aa=True)) is Status.OK
    wrong = [(Q, 3600, "CNAME", "other.esp.example.")]
    assert auth(response(Q, answer=wrong, aa=True)) is Status.WRONG_TARGET
    assert (
        auth(response(Q, rcode="NXDOMAIN", soa=("example.com", 3600, 1800), aa=True))
        is Status.NOT_PUBLISHED
    )
    assert auth(response(Q, answer=cname)) is Status.REFUSED  # no AA: lame
    assert auth(response(Q, rcode="REFUSED")) is Status.REFUSED
    assert auth(response(Q, rcode="SERVFAIL", aa=True)) is Status.SERVFAIL
    timeout = classify_authoritative(RECORD, AUTH, Exchange(None, 2000.0, "timeout"))
    assert timeout.status is Status.UNREACHABLE


def test_resolver_ok_and_stale_and_wrong() -> None:
    ok = public(response(Q, answer=[(Q, 300, "CNAME", RECORD.target + ".")]))
    assert ok.status is Status.OK and ok.ttl == 300
    stale = public(response(Q, answer=[(Q, 1234, "CNAME", "old.esp.example.")]))
    assert stale.status is Status.STALE
    assert stale.remaining == 1234
    assert stale.eta == datetime(2026, 1, 1, 12, 20, 34, tzinfo=UTC)
    assert "old record's cached TTL" in stale.bound
    wrong_truth = Truth(served=False, target="typo.esp.example")
    wrong = public(response(Q, answer=[(Q, 300, "CNAME", "typo.esp.example.")]), wrong_truth)
    assert wrong.status is Status.WRONG_TARGET


def test_cached_negative_reads_the_remaining_time_from_the_soa() -> None:
    # RFC 2308 §6: the SOA TTL in a cached negative is what is left; MINIMUM never counts down.
    cell = public(response(Q, rcode="NXDOMAIN", soa=("example.com", 297, 1800)))
    assert cell.status is Status.CACHED_NEGATIVE
    assert cell.remaining == 297
    assert cell.eta == datetime(2026, 1, 1, 12, 4, 57, tzinfo=UTC)
    assert "297 s left of the zone's 1800 s" in cell.bound
    nodata = public(response(Q, soa=("example.com", 100, 60)))  # min(TTL, MINIMUM)
    assert nodata.status is Status.CACHED_NEGATIVE and nodata.remaining == 60


def test_negative_without_soa_uses_an_upper_bound() -> None:
    cell = public(response(Q, rcode="NXDOMAIN"))
    assert cell.status is Status.CACHED_NEGATIVE
    assert cell.remaining == 1800
    assert cell.at_most and "at most the zone's negative TTL, 1800 s" in cell.bound


def test_negative_before_publication_is_not_published() -> None:
    assert public(response(Q, rcode="NXDOMAIN", soa=("example.com", 900, 900)), ABSENT).status is (
        Status.NOT_PUBLISHED
    )


def test_failures() -> None:
    assert public(response(Q, rcode="REFUSED")).status is Status.REFUSED
    assert public(response(Q, rcode="SERVFAIL")).status is Status.SERVFAIL
    assert public(response(Q, rcode="SERVFAIL", ede=6)).status is Status.DNSSEC_BOGUS
    assert public(response(Q, rcode="SERVFAIL", ede=13)).status is Status.SERVFAIL
    cell = classify_resolver(RECORD, PUBLIC, Exchange(None, 2000, "timeout"), SERVED, NOW)
    assert cell.status is Status.UNREACHABLE and "says nothing" in cell.detail


def test_hidden_cnames() -> None:
    base = classify_authoritative(
        RECORD, AUTH, exchange(response(Q, soa=("example.com", 1, 1), aa=True), Q)
    )
    proxied = read_answer(response(Q, "A", answer=[(Q, 300, "A", "104.18.1.1")], aa=True), Q)
    assert classify_hidden(base, proxied, ("192.0.2.10",)).status is Status.PROXIED
    assert classify_hidden(base, proxied, ()).status is Status.PROXIED  # Cloudflare range
    flat = read_answer(response(Q, "A", answer=[(Q, 300, "A", "192.0.2.10")], aa=True), Q)
    assert classify_hidden(base, flat, ("192.0.2.10",)).status is Status.FLATTENED
    assert classify_hidden(base, None, ()).status is Status.NOT_PUBLISHED


def test_worst_of_anycast_samples() -> None:
    ok = public(response(Q, answer=[(Q, 300, "CNAME", RECORD.target + ".")]))
    neg_short = public(response(Q, rcode="NXDOMAIN", soa=("example.com", 100, 1800)))
    neg_long = public(response(Q, rcode="NXDOMAIN", soa=("example.com", 900, 1800)))
    kept = worst([ok, neg_short, neg_long])
    assert kept.status is Status.CACHED_NEGATIVE and kept.remaining == 900
    assert kept.samples == 3 and kept.samples_ok == 1


def test_a_truncated_answer_is_a_server_failure_not_a_negative() -> None:
    """TC set on an answer that came over TCP: it is incomplete, and an empty one must not
    read as a cached "does not exist" (which promised a countdown and "looked up too
    early"), nor as "not published" at an authoritative server."""
    empty = response(Q, soa=("example.com", 300, 300), tc=True)
    cell = classify_resolver(RECORD, PUBLIC, exchange(empty, Q, transport="tcp"), SERVED, NOW)
    assert cell.status is Status.SERVFAIL and cell.eta is None and cell.remaining is None
    assert "truncated even over TCP" in cell.detail
    at_auth = classify_authoritative(
        RECORD, AUTH, exchange(response(Q, aa=True, tc=True), Q, 1.0, "tcp")
    )
    assert at_auth.status is Status.SERVFAIL and "incomplete" in at_auth.detail


def test_a_cname_loop_is_wrong_and_has_no_countdown() -> None:
    loop = [(Q, 3600, "CNAME", "b.example.com."), ("b.example.com", 3600, "CNAME", Q + ".")]
    cell = public(response(Q, answer=loop))
    assert cell.status is Status.WRONG_TARGET
    assert cell.eta is None and cell.remaining is None and not cell.bound
    assert f"CNAME loop ({Q} → b.example.com → {Q})" in cell.detail
    assert auth(response(Q, answer=loop, aa=True)) is Status.WRONG_TARGET
    # A long loop keeps its ends in the detail, not all of its links.
    links = [f"n{i}.example.com" for i in range(2000)]
    long = [(Q, 60, "CNAME", links[0] + ".")]
    long += [(a, 60, "CNAME", b + ".") for a, b in itertools.pairwise(links)]
    long.append((links[-1], 60, "CNAME", links[1000] + "."))
    cell = public(response(Q, answer=long))
    assert cell.status is Status.WRONG_TARGET and len(cell.detail) < 400
    assert "n1998.example.com → n1999.example.com → n1000.example.com)" in cell.detail
    # A chain that ends is no loop.
    chain = [(Q, 300, "CNAME", "b.example.com."), ("b.example.com", 300, "CNAME", "c.example.")]
    assert read_answer(response(Q, answer=chain), Q).loop == ()


def test_a_failed_tcp_retry_is_a_server_failure() -> None:
    failed = Exchange(None, 3.0, "truncated over UDP and the TCP retry failed: x", "tcp")
    cell = classify_resolver(RECORD, PUBLIC, failed, SERVED, NOW)
    assert cell.status is Status.SERVFAIL and "over TCP (port 53)" in cell.detail


def test_answer_text_is_sanitised_where_it_enters() -> None:
    txt = [(Q, 300, "TXT", '"\\027]52;c;aGVsbG8=\\007" "pay \\226\\128\\174txt.exe"')]
    answer = read_answer(response(Q, "TXT", answer=txt), Q)
    assert answer.texts == ("\\x1b]52;c;aGVsbG8=\\x07pay \\u202etxt.exe",)
    assert all(is_visible(r) for r in answer.records)


def test_the_records_kept_for_display_are_bounded() -> None:
    many = [(Q, 300, "A", f"192.0.2.{i}") for i in range(1, 200)]
    answer = read_answer(response(Q, "A", answer=many), Q)
    assert len(answer.records) == MAX_SHOWN_RECORDS + 1
    assert answer.records[-1] == "… and 179 more records"
    assert len(answer.addresses) == 199  # the data itself is all there


@settings(max_examples=400, deadline=None)
@given(st.binary(min_size=0, max_size=600))
def test_garbage_wire_never_crashes(data: bytes) -> None:
    try:
        message = dns.message.from_wire(data)
    except Exception:
        return  # dnspython refused it; the transport reports "bad response"
    answer = read_answer(message, Q)
    cell = classify_resolver(RECORD, PUBLIC, Exchange(answer, 1.0), SERVED, NOW)
    assert cell.status in Status
    assert classify_authoritative(RECORD, AUTH, Exchange(answer, 1.0)).status in Status


names = st.sampled_from([Q, "other.example.com", "example.com", RECORD.target, "x.y"])
rcodes = st.sampled_from(["NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", "FORMERR", "NOTIMP"])
rr = st.tuples(
    names,
    st.integers(min_value=0, max_value=2**31 - 1),
    st.sampled_from(["CNAME", "A", "TXT", "MX", "NS"]),
)


def _rdata(kind: str) -> str:
    return {
        "CNAME": "t.example.",
        "A": "192.0.2.1",
        "TXT": '"hello"',
        "MX": "10 mx.example.",
        "NS": "ns.example.",
    }[kind]


@settings(max_examples=300, deadline=None)
@given(
    rcode=rcodes,
    records=st.lists(rr, max_size=5),
    soa=st.one_of(
        st.none(),
        st.tuples(names, st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)),
    ),
    aa=st.booleans(),
    ede=st.one_of(st.none(), st.integers(0, 30)),
    truth=st.sampled_from([SERVED, ABSENT, Truth(False, None, Status.PROXIED, None)]),
)
def test_random_well_formed_responses_never_crash(rcode, records, soa, aa, ede, truth) -> None:
    answer = [(owner, ttl, kind, _rdata(kind)) for owner, ttl, kind in records]
    message = response(Q, rcode=rcode, answer=answer, soa=soa, aa=aa, ede=ede)
    wire = dns.message.from_wire(message.to_wire())  # through the real wire format
    cell = classify_resolver(RECORD, PUBLIC, exchange(wire, Q), truth, NOW)
    assert cell.status in Status
    if cell.eta is not None:
        assert cell.remaining is not None and cell.remaining >= 0


def test_a_resolver_saying_it_reached_no_server_cannot_reach_the_zone() -> None:
    # RFC 8914: 22 No Reachable Authority, 23 Network Error.
    for code in (22, 23):
        cell = public(response(Q, rcode="SERVFAIL", ede=code))
        assert cell.status is Status.CANT_REACH_ZONE and f"EDE {code}" in cell.detail


def test_ede_words() -> None:
    assert ede_words(3, "x") == 'EDE 3 Stale Answer: "x"'
    assert ede_words(19, None) == "EDE 19 Stale NXDOMAIN Answer"
    assert ede_words(6, "") == "EDE 6 DNSSEC Bogus"
    assert ede_words(9999, "\x1b[2J") == 'EDE 9999 (a code this program does not know): "\\x1b[2J"'
    assert len(ede_words(0, "y" * 5000)) < 200  # a resolver's text is cut short


def test_a_synthesised_negative_is_no_early_lookup() -> None:
    cell = public(response(Q, rcode="NXDOMAIN", soa=("example.com", 200, 1800), ede=29))
    assert cell.status is Status.CACHED_NEGATIVE and cell.reason == "nsec"
    assert "synthesised by the resolver (EDE 29)" in cell.detail


def test_nsec_coverage_in_canonical_order() -> None:
    def covering(owner: str, following: str) -> bool:
        message = response(Q, rcode="NXDOMAIN", soa=("example.com", 300, 300))
        message.authority.append(
            dns.rrset.from_text(owner + ".", 300, "IN", "NSEC", f"{following}. A RRSIG NSEC")
        )
        denials = read_answer(message, Q).denials
        assert len(denials) == 1 and denials[0].kind == "NSEC"
        return denials[0].covers

    assert covering("example.com", "www.example.com")  # _domainkey sorts before www
    assert not covering("www.example.com", "zz.example.com")
    # The last NSEC of the zone wraps round to the apex: it covers every name after its owner.
    assert covering("_a.example.com", "example.com")
    assert not covering("zz.example.com", "example.com")
    assert not covering(Q, "zz.example.com")  # at the name itself: a NODATA proof


def test_combining_types_keeps_the_worst_and_says_which() -> None:
    ok = public(response(Q, answer=[(Q, 300, "CNAME", RECORD.target + ".")]))
    txt = classify_resolver(
        RECORD,
        PUBLIC,
        exchange(response(Q, "TXT", rcode="NXDOMAIN", soa=("example.com", 90, 1800)), Q),
        SERVED,
        NOW,
        "TXT",
    )
    both = combine([ok, txt])
    assert both.status is Status.CACHED_NEGATIVE and both.rdtype == "TXT"
    assert both.remaining == 90 and both.target == RECORD.target
    assert both.detail == "TXT: cached 'no TXT' from before the record was published " + (
        "(the CNAME itself is visible)"
    )
    assert [t.rdtype for t in both.types] == ["CNAME", "TXT"]
    fine = combine([ok, replace(ok, rdtype="TXT")])
    assert fine.status is Status.OK and fine.rdtype == "CNAME" and len(fine.types) == 2
    # A TXT record of the name's own (a conflict) is no ok.
    own = [(Q, 300, "TXT", '"v=DKIM1; p=old"')]
    conflict = classify_resolver(
        RECORD, PUBLIC, exchange(response(Q, "TXT", answer=own), Q), SERVED, NOW, "TXT"
    )
    assert conflict.status is Status.WRONG_TARGET and "holds TXT records" in conflict.detail
