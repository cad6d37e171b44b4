"""Pure business rules: no ORM, no settings, no I/O; values in, values out."""
