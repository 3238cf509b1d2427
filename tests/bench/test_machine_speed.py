"""The run's reference figures: the same piece of Python timed back to back and paced
(bench.calibration), so that runs on different machines can be compared."""

from bench import calibration


def test_the_reference_piece_is_timed_back_to_back_and_paced_and_their_ratio_given(monkeypatch):
    paced = []
    monkeypatch.setattr(calibration, "_sleep", paced.append)

    speed = calibration.machine_speed(pieces=5, pace_s=0.004)

    assert paced == [0.004] * 5  # only the paced round sleeps, after each piece
    assert speed["reference_ms"] > 0 and speed["reference_paced_ms"] > 0
    ratio = speed["reference_paced_ms"] / speed["reference_ms"]
    assert abs(speed["paced_over_back_to_back"] - ratio) < 0.011  # each figure rounded on its own
    assert speed["pace_ms"] == 4.0


def test_the_piece_is_the_same_work_each_time():
    objects = calibration.reference_objects()

    assert calibration.reference_piece(objects, 123) == calibration.reference_piece(objects, 123)
    assert calibration.reference_piece(objects, 123) != calibration.reference_piece(objects, 124)
