package io.parikshan.proxy.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parikshan.proxy.HostPort;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Connects to in-memory channels; each target can be told to accept, refuse or hang. */
final class FakeConnector implements Connector {

    enum Outcome { ACCEPT, REFUSE, HANG }

    record Opened(HostPort target, EmbeddedChannel channel, ChannelFuture future) {
    }

    private final Map<HostPort, Outcome> outcomes = new HashMap<>();
    final List<Opened> opened = new ArrayList<>();

    FakeConnector set(HostPort target, Outcome outcome) {
        outcomes.put(target, outcome);
        return this;
    }

    @Override
    public ChannelFuture connect(Channel inbound, HostPort target, ChannelHandler handler, boolean autoRead) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAutoRead(autoRead);
        Outcome outcome = outcomes.getOrDefault(target, Outcome.ACCEPT);
        if (outcome != Outcome.REFUSE) {
            ch.pipeline().addLast(handler); // a refused connect never becomes active, so its handler never runs
        }
        ChannelFuture f = switch (outcome) {
            case ACCEPT -> ch.newSucceededFuture();
            case REFUSE -> {
                ch.close();
                yield ch.newFailedFuture(new ConnectException("Connection refused: " + target));
            }
            case HANG -> ch.newPromise();
        };
        opened.add(new Opened(target, ch, f));
        return f;
    }

    List<EmbeddedChannel> channelsTo(HostPort target) {
        return opened.stream().filter(o -> o.target().equals(target)).map(Opened::channel).toList();
    }

    /** Completes a hanging connect. */
    void accept(EmbeddedChannel ch) {
        opened.stream().filter(o -> o.channel() == ch).findFirst().ifPresent(o -> ((ChannelPromise) o.future()).setSuccess());
    }
}
