"""One module per automation; the registry finds every module here that defines `AUTOMATION`."""
