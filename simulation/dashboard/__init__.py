"""The interactive dashboard: a thin Solara layer over :class:`~simulation.TrustModel`.

``python -m simulation dashboard`` starts it. The package splits in two:

:mod:`simulation.dashboard.plots`
    Pure helpers (no Solara): the controls a class plays with, building a
    model or a side-by-side pair, a stable layout per place, edge colours, and
    the matplotlib figures of the network and the charts. Notebooks use them
    too.
:mod:`simulation.dashboard.app`
    The Solara page (imports Solara; only the ``dashboard`` command and the
    tests load it).

Nothing in the model imports this package.
"""
