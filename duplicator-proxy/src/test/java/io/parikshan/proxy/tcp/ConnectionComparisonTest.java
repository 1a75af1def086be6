package io.parikshan.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.parikshan.proxy.buffer.BufferBudget;
import io.parikshan.proxy.fidelity.CloneFidelity;
import io.parikshan.proxy.fidelity.CompareMode;
import io.parikshan.proxy.fidelity.DropReason;
import io.parikshan.proxy.fidelity.FidelityConfig;
import io.parikshan.proxy.fidelity.FidelityLedger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The comparison fed the way the handlers feed it, in orders real sockets produce. */
class ConnectionComparisonTest {

    private final BufferBudget budget = new BufferBudget(1 << 20);
    private final List<ByteBuf> given = new ArrayList<>();
    private final List<FidelityLedger> ledgers = new ArrayList<>();

    @AfterEach
    void everythingHandedInWasReleased() {
        assertThat(given).allSatisfy(b -> assertThat(b.refCnt()).as("buffer released").isZero());
    }

    private ConnectionComparison comparison(FidelityConfig config, int clones, long connectionBudget) {
        for (int i = 0; i < clones; i++) {
            ledgers.add(new FidelityLedger("c" + i, config.mode(), 8, null));
        }
        return new ConnectionComparison(config, ImmediateEventExecutor.INSTANCE, budget, connectionBudget, "127.0.0.1:5", ledgers);
    }

    private ByteBuf buf(String text) {
        ByteBuf b = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        given.add(b);
        return b;
    }

    private static String answer(String body) {
        return "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private CloneFidelity fidelity(int clone) {
        return ledgers.get(clone).snapshot();
    }

    @Test
    void a_clone_that_answers_before_production_is_judged_when_production_answers() {
        ConnectionComparison c = comparison(FidelityConfig.of(CompareMode.AUTO), 1, 1 << 16);
        c.clientBytes(buf("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
        c.side(0).answer(buf(answer("one") + answer("tw")));
        assertThat(fidelity(0).comparedExchanges()).isZero();
        assertThat(budget.used()).as("clone answers held while production has not answered").isPositive();
        c.productionAnswer(buf(answer("one") + "HTTP/1.1 200 OK\r\nContent-Len"));
        assertThat(fidelity(0).comparedExchanges()).isEqualTo(1);
        c.productionAnswer(buf("gth: 3\r\n\r\ntwo"));
        CloneFidelity f = fidelity(0);
        assertThat(f.comparedExchanges()).isEqualTo(2);
        assertThat(f.divergentExchanges()).isEqualTo(1);
        assertThat(f.divergenceLog()).singleElement().satisfies(d -> {
            assertThat(d.exchange()).isEqualTo(1);
            assertThat(d.request()).startsWith("GET /b HTTP/1.1");
            assertThat(d.differences()).singleElement().asString().startsWith("body differs at byte 2 (production 3 bytes, clone 2)");
        });
        c.productionEnded();
        c.side(0).ended();
        assertThat(c.active()).isFalse();
        assertThat(budget.used()).isZero();
    }

    @Test
    void what_production_never_answered_because_the_client_left_is_not_compared() {
        ConnectionComparison c = comparison(FidelityConfig.of(CompareMode.HTTP), 1, 1 << 16);
        c.clientBytes(buf("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"));
        c.productionAnswer(buf(answer("a") + "HTTP/1.1 200 OK\r\nCont"));
        c.clientClosed();
        c.productionEnded();
        c.side(0).answer(buf(answer("a") + answer("b")));
        c.side(0).ended();
        assertThat(fidelity(0).comparedExchanges()).isEqualTo(1);
        assertThat(fidelity(0).divergentExchanges()).isZero();
        assertThat(fidelity(0).droppedComparisons()).isEmpty();
        assertThat(budget.used()).isZero();
    }

    @Test
    void a_clone_that_closes_without_answering_diverges_when_production_closed_cleanly() {
        ConnectionComparison c = comparison(FidelityConfig.of(CompareMode.HTTP), 1, 1 << 16);
        c.clientBytes(buf("GET /a HTTP/1.1\r\nConnection: close\r\n\r\n"));
        c.productionAnswer(buf(answer("a")));
        c.productionEnded();
        c.side(0).ended();
        assertThat(fidelity(0).divergentExchanges()).isEqualTo(1);
        assertThat(fidelity(0).divergenceLog().get(0).differences()).anyMatch(d -> d.contains("without answering"));
    }

    @Test
    void holding_more_than_the_connection_budget_drops_the_comparison_and_releases_everything() {
        ConnectionComparison c = comparison(FidelityConfig.of(CompareMode.TCP), 1, 1024);
        c.clientBytes(buf("x".repeat(10)));
        c.productionAnswer(buf("y".repeat(600)));
        assertThat(budget.used()).isEqualTo(600);
        c.productionAnswer(buf("y".repeat(600)));
        assertThat(c.active()).isFalse();
        assertThat(budget.used()).isZero();
        assertThat(fidelity(0).droppedComparisons()).containsEntry(DropReason.BUDGET.label(), 1L);
        c.side(0).answer(buf("late"));
        c.productionAnswer(buf("more"));
    }

    @Test
    void tcp_clones_ahead_of_production_are_compared_as_production_catches_up() {
        ConnectionComparison c = comparison(FidelityConfig.of(CompareMode.TCP), 1, 1 << 16);
        c.clientBytes(buf("ping ping"));
        c.side(0).answer(buf("pong po"));
        c.productionAnswer(buf("pon"));
        c.productionAnswer(buf("g pong"));
        c.side(0).answer(buf("ng"));
        c.productionEnded();
        c.side(0).ended();
        assertThat(fidelity(0).comparedExchanges()).isEqualTo(1);
        assertThat(fidelity(0).divergentExchanges()).isZero();
        assertThat(fidelity(0).comparedBytes()).isEqualTo(9);
    }

    @Test
    void tcp_clones_that_disagree_with_each_other_are_noise_and_agreeing_ones_diverge() {
        ConnectionComparison noisy = comparison(FidelityConfig.of(CompareMode.TCP).withTwoCloneNoise(true), 2, 1 << 16);
        noisy.clientBytes(buf("time?"));
        noisy.productionAnswer(buf("12:00:01"));
        noisy.side(0).answer(buf("12:00:02"));
        noisy.side(1).answer(buf("12:00:03"));
        noisy.productionEnded();
        noisy.side(0).ended();
        noisy.side(1).ended();
        assertThat(fidelity(0).noiseExchanges()).isEqualTo(1);
        assertThat(fidelity(1).noiseExchanges()).isEqualTo(1);
        assertThat(fidelity(0).divergentExchanges()).isZero();

        ledgers.clear();
        ConnectionComparison agreeing = comparison(FidelityConfig.of(CompareMode.TCP).withTwoCloneNoise(true), 2, 1 << 16);
        agreeing.clientBytes(buf("version?"));
        agreeing.productionAnswer(buf("v1"));
        agreeing.side(0).answer(buf("v2"));
        agreeing.side(1).answer(buf("v2"));
        agreeing.productionEnded();
        agreeing.side(0).ended();
        agreeing.side(1).ended();
        assertThat(fidelity(0).divergentExchanges()).isEqualTo(1);
        assertThat(fidelity(1).divergentExchanges()).isEqualTo(1);
        assertThat(fidelity(0).divergenceLog().get(0).differences().get(0)).startsWith("answers differ from byte 1");
    }

    @Test
    void a_dropped_clone_stops_holding_back_the_others() {
        ConnectionComparison c = comparison(FidelityConfig.of(CompareMode.HTTP).withTwoCloneNoise(true), 2, 1 << 16);
        c.clientBytes(buf("GET / HTTP/1.1\r\n\r\n"));
        c.productionAnswer(buf(answer("a")));
        c.side(0).answer(buf(answer("a")));
        assertThat(fidelity(0).comparedExchanges()).as("waits for the second clone").isZero();
        c.side(1).dropped(DropReason.DESYNC);
        assertThat(fidelity(0).comparedExchanges()).isEqualTo(1);
        assertThat(fidelity(1).droppedComparisons()).containsEntry("desync", 1L);
        c.productionEnded();
        c.side(0).ended();
        assertThat(budget.used()).isZero();
    }
}
