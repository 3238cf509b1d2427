"""`make bench`: measures DESIGN section 9 against the whole platform on this machine."""
