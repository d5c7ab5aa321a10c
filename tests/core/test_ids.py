from app.ids import new_id


def test_ids_are_unique_and_increasing_in_a_burst():
    ids = [new_id() for _ in range(100_000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert all(0 < i < 2**63 for i in (ids[0], ids[-1]))
