from portal.api.pagination import CappedPaginator


class Capped(CappedPaginator):
    cap = 5


def test_it_counts_exactly_up_to_the_cap():
    paginator = Capped(list(range(5)), 2)
    assert (paginator.count, paginator.count_is_exact) == (5, True)


def test_it_says_more_than_the_cap_beyond_it():
    paginator = Capped(list(range(12)), 2)
    assert (paginator.count, paginator.count_is_exact, paginator.num_pages) == (6, False, 3)


def test_it_reports_whether_the_count_is_exact_in_the_api(api, bob):
    response = api.as_(bob).get("/api/v1/tickets/")
    assert response.json()["count_exact"] is True
