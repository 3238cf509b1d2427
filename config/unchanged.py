"""A value left as it is: for the optional fields of an upsert where empty (None) is a
value of its own, such as a lot without an expiry date or a product without a
freshness default."""


class _Unchanged:
    def __repr__(self):
        return "UNCHANGED"

    def __bool__(self):
        return False


UNCHANGED = _Unchanged()
Unchanged = _Unchanged
