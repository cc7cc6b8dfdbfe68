"""Pure domain rules: no Flask, no session; values in, values out."""
