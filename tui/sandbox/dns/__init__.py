"""The sandbox's DNS world: zones at DNS hosts, authoritative servers, caching resolvers.

Real DNS servers on loopback (UDP and TCP, dnspython wire format) that behave like the real
world on the world clock, so a propagation checker can be tested and demoed against them:

- :mod:`records`, :mod:`zones`: what DNS hosts store (versioned, so a secondary can lag);
- :mod:`authority`: what an authoritative server answers (RFC 1034 §4.3.2, RFC 2308; a signed
  zone's NSEC records); :mod:`parent`: the root and TLD server, whose referrals say where each
  zone is delegated; :mod:`rrl`: response rate limiting;
- :mod:`cache`, :mod:`resolver`: caching resolvers with RFC 2308 negative caching, behaviours
  (anycast, validating, servfail, refused, dead), options as real software has them (unbound's
  shared SOA and per-type negatives, caps, dead paths, serve-stale, aggressive NSEC), and
  histories;
- :mod:`world`: all of it under the sandbox world's lock; :mod:`plans`, :mod:`lab`,
  :mod:`healthy`: what each scenario starts with; :mod:`panel`: what users type at a DNS host,
  mistakes included; :mod:`mailauth`: SPF and DMARC texts; :mod:`breakage`: the SPF and DMARC
  problems ``POST /_sandbox/break`` makes;
- :mod:`respond`, :mod:`wire`, :mod:`serve`: the network side; :mod:`verifier`: the check
  behind Authenticate; :mod:`control`, :mod:`edits`, :mod:`levers`, :mod:`view`: the
  ``/_sandbox/dns`` routes.

It never imports the app's own DNS code (``tui.propagation``): contract tests compare the two.
"""
