package io.parikshan.proxy.fidelity;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The byte-for-byte comparison on its own: no budgets, no event loop. */
class TcpStreamComparisonTest {

    private final List<ByteBuf> given = new ArrayList<>();
    private final List<FidelityLedger> ledgers = new ArrayList<>();
    private ComparedClones clones;

    @AfterEach
    void everythingHandedInWasReleased() {
        assertThat(given).allSatisfy(b -> assertThat(b.refCnt()).as("buffer released").isZero());
    }

    private TcpStreamComparison comparison(int n, boolean twoCloneNoise) {
        for (int i = 0; i < n; i++) {
            ledgers.add(new FidelityLedger("c" + i, CompareMode.TCP, 8, null));
        }
        clones = new ComparedClones(ledgers, twoCloneNoise);
        return new TcpStreamComparison(clones, "127.0.0.1:7");
    }

    private ByteBuf buf(String text) {
        ByteBuf b = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        given.add(b);
        return b;
    }

    private void client(TcpStreamComparison c, String text) {
        ByteBuf b = buf(text);
        c.clientBytes(b);
        b.release();
    }

    private void cloneEnds(TcpStreamComparison c, int i) {
        clones.get(i).end();
        c.cloneEnded(i);
    }

    private CloneFidelity fidelity(int i) {
        return ledgers.get(i).snapshot();
    }

    @Test
    void production_bytes_are_held_only_until_the_clone_matched_them() {
        TcpStreamComparison c = comparison(1, false);
        client(c, "ping");
        c.productionAnswer(buf("pong"));
        c.compare();
        assertThat(c.heldBytes()).isEqualTo(4);
        assertThat(c.cloneAnswer(0, buf("po"))).isTrue();
        c.compare();
        assertThat(c.heldBytes()).as("the first chunk is still needed for the last two bytes").isEqualTo(4);
        c.cloneAnswer(0, buf("ng"));
        c.compare();
        assertThat(c.heldBytes()).isZero();
        c.productionEnded();
        cloneEnds(c, 0);
        c.compare();
        assertThat(c.over()).isTrue();
        assertThat(fidelity(0).comparedExchanges()).isEqualTo(1);
        assertThat(fidelity(0).divergentExchanges()).isZero();
        assertThat(fidelity(0).comparedBytes()).isEqualTo(4);
    }

    @Test
    void a_clone_that_stops_short_diverges_at_its_end_with_the_bytes_around_it() {
        TcpStreamComparison c = comparison(1, false);
        client(c, "list");
        c.productionAnswer(buf("a,b,c"));
        c.cloneAnswer(0, buf("a,b"));
        cloneEnds(c, 0);
        c.compare();
        assertThat(c.over()).as("alone, a clone's first difference is judged at once").isTrue();
        DivergentExchange d = fidelity(0).divergenceLog().get(0);
        assertThat(d.protocol()).isEqualTo("tcp");
        assertThat(d.request()).isEqualTo("list");
        assertThat(d.differences().get(0)).startsWith("the clone's answer ends at byte 3 where production's goes on (production 5+ bytes");
        assertThat(d.differences().get(1)).startsWith("client to server: 4+ bytes crc32c ");
        assertThat(d.productionAnswer()).isEqualTo(" [bytes from 0] a,b,c");
        assertThat(d.cloneAnswer()).isEqualTo(" [bytes from 0] a,b");
        c.release();
    }

    @Test
    void what_the_clone_says_beyond_production_counts_unless_the_client_left_early() {
        TcpStreamComparison more = comparison(1, false);
        client(more, "q");
        more.productionAnswer(buf("ok"));
        more.productionEnded();
        more.cloneAnswer(0, buf("ok!"));
        more.compare();
        assertThat(fidelity(0).divergenceLog().get(0).differences().get(0)).startsWith("answers differ from byte 2");

        ledgers.clear();
        TcpStreamComparison left = comparison(1, false);
        client(left, "q");
        left.clientLeftEarly();
        left.productionAnswer(buf("ok"));
        left.productionEnded();
        left.cloneAnswer(0, buf("ok!"));
        cloneEnds(left, 0);
        left.compare();
        assertThat(left.over()).isTrue();
        assertThat(fidelity(0).divergentExchanges()).isZero();
        assertThat(fidelity(0).comparedExchanges()).isEqualTo(1);
    }

    @Test
    void a_connection_where_nobody_said_anything_is_no_exchange() {
        TcpStreamComparison c = comparison(2, false);
        c.productionEnded();
        cloneEnds(c, 0);
        cloneEnds(c, 1);
        c.compare();
        assertThat(c.over()).isTrue();
        assertThat(fidelity(0).comparedExchanges()).isZero();
        assertThat(fidelity(1).comparedExchanges()).isZero();
    }

    @Test
    void with_two_clone_noise_a_difference_waits_for_the_end_and_a_dropped_clone_leaves_one() {
        TcpStreamComparison c = comparison(2, true);
        client(c, "t");
        c.productionAnswer(buf("1"));
        c.cloneAnswer(0, buf("2"));
        c.compare();
        assertThat(c.cloneAnswer(0, buf("more")))
                .as("after its first difference a clone's bytes are only counted").isFalse();
        assertThat(fidelity(0).comparedExchanges()).isZero();
        clones.get(1).drop(DropReason.DESYNC);
        c.cloneDropped(1);
        c.productionEnded();
        cloneEnds(c, 0);
        c.compare();
        assertThat(fidelity(0).divergentExchanges()).isEqualTo(1);
        assertThat(fidelity(1).droppedComparisons()).containsEntry("desync", 1L);
        assertThat(c.heldBytes()).isZero();
    }
}
