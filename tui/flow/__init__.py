"""The rules of the journey, as pure functions: what the next step is, when authentication
may be tried, how often to poll. No I/O here: callers pass in API objects, probe results, state
and the time, and get decisions back (DESIGN.md, "flow/ decides")."""
