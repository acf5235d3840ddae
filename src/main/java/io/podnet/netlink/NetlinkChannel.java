package io.podnet.netlink;

import java.nio.ByteBuffer;

import io.podnet.sys.NetlinkSocket;

/**
 * Where requests go and replies come from: a real {@link NetlinkSocket}, or a scripted fake in
 * unit tests. Same contract as NetlinkSocket: {@code send} sends the buffer's remaining bytes
 * (positioned at 0) as one datagram; {@code receive} clears the buffer, receives one datagram
 * and flips it for reading.
 */
interface NetlinkChannel extends AutoCloseable {
    int portId();

    void send(ByteBuffer message);

    void receive(ByteBuffer buffer);

    @Override
    void close();

    static NetlinkChannel of(NetlinkSocket socket) {
        return new NetlinkChannel() {
            @Override
            public int portId() {
                return socket.portId();
            }

            @Override
            public void send(ByteBuffer message) {
                socket.send(message);
            }

            @Override
            public void receive(ByteBuffer buffer) {
                socket.receive(buffer);
            }

            @Override
            public void close() {
                socket.close();
            }
        };
    }
}
