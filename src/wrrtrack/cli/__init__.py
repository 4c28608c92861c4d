"""The command line: parse, make one library call, print.

_runtime     a run: the streams, `main`, and the one table of failures and exit codes
_streams     stdout (through the pager), messages and `error:` lines, the spinner
_build       every command registered in order; the root built lazily
_app         the Typer application, its global options, the registry they name
_options     the options several commands share, and how their values are read
_present     the one choice of format (JSON, a Rich table, tab-separated lines, …)
_completion  shell completion
_shells      what each shell's completion script reads, quoted for it
_reading     list, show, status history, vocab, sources, reports
_writing     status set, add, vocab add, reports add, sources update, init
_publishing  report, validate, export, schema
_output      --output files;  _init  `init`;  _screen  the pager and the spinner
"""

from wrrtrack.cli._app import app
from wrrtrack.cli._runtime import main

__all__ = ["app", "main"]
