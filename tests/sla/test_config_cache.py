"""The SLA configuration a process keeps (sla.config_cache) follows every edit at once."""

import pytest

from sla import config_cache
from sla.services import priority_matrix_set

pytestmark = pytest.mark.django_db


def test_a_matrix_edit_is_read_at_once_by_the_next_ticket(tenant_a, alice):
    before = config_cache.priority_matrix(tenant_a.pk)[("high", "high")]
    after = "P4" if before != "P4" else "P3"

    priority_matrix_set(tenant=tenant_a, actor=alice, cells={("high", "high"): after})

    assert config_cache.priority_matrix(tenant_a.pk)[("high", "high")] == after


def test_a_process_that_read_the_old_matrix_reads_the_new_one_after_the_commit(tenant_a, alice,
                                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        priority_matrix_set(tenant=tenant_a, actor=alice, cells={("low", "low"): "P1"})
    config_cache._entries[tenant_a.pk] = (config_cache._token(tenant_a.pk), {"targets": {}, "clocks": {},
                                                                             "matrix": {("low", "low"): "P4"}})
    for callback in callbacks:
        callback()

    assert config_cache.priority_matrix(tenant_a.pk)[("low", "low")] == "P1"


def test_a_policy_moved_to_another_calendar_is_counted_on_it_by_the_next_page(tenant_a):
    from tests.tickets import factories as tf

    first, second = tf.sla_policy(tenant_a, code="first"), tf.sla_policy(tenant_a, code="second")
    assert config_cache.policy_clock(tenant_a.pk, first.pk) is config_cache.clock(first.calendar)

    first.calendar = second.calendar
    first.save()

    assert config_cache.policy_clock(tenant_a.pk, first.pk) is config_cache.clock(second.calendar)


def test_a_policy_clock_is_not_read_again_while_the_configuration_is_unchanged(tenant_a,
                                                                             django_assert_num_queries):
    from tests.tickets import factories as tf

    policy = tf.sla_policy(tenant_a)
    config_cache.policy_clock(tenant_a.pk, policy.pk)

    with django_assert_num_queries(0):
        config_cache.policy_clock(tenant_a.pk, policy.pk)
