"""The programs: the `workstation` command, the seat app and the demo (the composition roots)."""
