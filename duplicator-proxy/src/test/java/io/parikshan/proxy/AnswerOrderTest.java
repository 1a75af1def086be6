package io.parikshan.proxy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AnswerOrderTest {

    private final AnswerOrder order = new AnswerOrder();
    private final Object a = "connection a";
    private final Object b = "connection b";
    private final Object c = "connection c";

    @Test
    void a_request_waits_for_the_answers_given_before_it_on_other_connections_only() {
        long first = order.number();
        order.pend(first, a);
        long latest = order.latest();
        assertThat(order.answeredUpTo(latest, a)).as("its own connection's answers are TCP's order").isTrue();
        assertThat(order.answeredUpTo(latest, b)).isFalse();

        List<String> released = new ArrayList<>();
        assertThat(order.awaitAnswered(latest, b, () -> released.add("b"))).isTrue();
        long later = order.number();
        order.pend(later, c); // answered after b's request came: b does not wait for it
        order.cleared(first);
        assertThat(released).containsExactly("b");
        assertThat(order.waited()).isEqualTo(1);
        assertThat(order.answeredUpTo(order.latest(), b)).isFalse();
    }

    @Test
    void giving_up_releases_the_waiter_and_counts_only_the_answers_it_waited_for() {
        long n1 = order.number();
        order.pend(n1, a);
        List<String> released = new ArrayList<>();
        order.awaitAnswered(n1, b, () -> released.add("b"));
        long n2 = order.number();
        order.pend(n2, c);
        order.giveUpOn(n1, b);
        assertThat(released).containsExactly("b");
        assertThat(order.expired()).isEqualTo(1);
        assertThat(order.pendingCount()).as("the younger answer stays pending").isEqualTo(1);
        order.cleared(n1); // its connection clears it later: already gone, nothing happens
        assertThat(order.expired()).isEqualTo(1);
    }

    @Test
    void nothing_pending_releases_at_once_in_the_callers_thread() {
        List<String> released = new ArrayList<>();
        assertThat(order.awaitAnswered(order.latest(), a, () -> released.add("a"))).isFalse();
        assertThat(released).containsExactly("a");
        assertThat(order.waited()).isZero();
    }
}
