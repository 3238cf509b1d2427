"""`make bench`: measures docs/DESIGN.md section 9 against the whole platform on this machine."""
