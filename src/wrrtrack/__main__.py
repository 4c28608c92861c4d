"""Lets `python -m wrrtrack` run the command line."""

from wrrtrack.cli import main

main()
