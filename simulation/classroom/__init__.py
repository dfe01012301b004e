"""Classroom mode: students play the leaders of a shared place, each from their own browser.

``python -m simulation classroom`` starts a session (NetLogo's HubNet, for this
model). The package splits in four; nothing in the core imports it:

:mod:`simulation.classroom.session`
    The session: the shared :class:`~simulation.TrustModel`, seats, rounds,
    students' choices (applied through :meth:`~simulation.TrustModel.steer`),
    shocks, what each side sees. No HTTP.
:mod:`simulation.classroom.log`
    The session log (JSON lines, appended as it goes) that a restarted server replays.
:mod:`simulation.classroom.debrief`
    How trust and integration evolved and which choices made the difference, as tables and CSV.
:mod:`simulation.classroom.server`
    The Starlette app: the students' and teacher's pages (plain HTML and
    JavaScript shipped in ``static/``, no CDN) and their JSON API.

The rules of play, what students see and the log format: docs/classroom.md.
"""
