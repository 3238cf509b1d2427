"""One line that sums up a list of problems, for every door and rule alike."""

from config.errors import summarise_errors

QUANTITY = {"line": 2, "code": "invalid_quantity", "detail": "Line 2: quantity for ROSE must be a whole number."}
SHIP_TO = {"field": "ship_to", "code": "invalid_ship_to", "detail": "ship_to 9 is not one of FERN's addresses."}


def test_one_problem_is_its_own_detail():
    assert summarise_errors([QUANTITY], subject="this order") == QUANTITY["detail"]


def test_several_say_how_many_about_what_and_name_the_first():
    assert summarise_errors([SHIP_TO, QUANTITY], subject="this order") == (
        "2 problems with this order; see errors. First: ship_to 9 is not one of FERN's addresses."
    )


def test_the_subject_defaults_to_the_request():
    assert summarise_errors([SHIP_TO, QUANTITY]).startswith("2 problems with this request; see errors.")
