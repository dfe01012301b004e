"""Sub-commands of the command line, one module each (see :mod:`simulation.cli`)."""
