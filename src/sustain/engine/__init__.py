"""Pure domain rules: no Django, no I/O, no clock. Every function takes what it needs."""
