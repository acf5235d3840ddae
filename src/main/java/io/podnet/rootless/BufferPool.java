package io.podnet.rootless;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import io.podnet.sys.Pipe;
import io.podnet.sys.SyscallException;

/**
 * One selector thread's buffers: the pipes spliced data goes through, the scratch buffer every
 * copied read goes through, and spare buffers for data a destination did not take, by size
 * class ({@link #MIN_READ}, then x4 up to the buffer size), so a slow connection keeps a small
 * buffer and a bulk one does not allocate for every stall. Used by its thread only.
 *
 * <p>A direction holds a pipe only while its destination has not taken what is in it, so an
 * idle connection holds none (no descriptors, no pipe pages), and a bulk one takes a spare.
 */
final class BufferPool implements AutoCloseable {
    /** The first read of a direction, and its size again after its destination was full. */
    static final int MIN_READ = 64 << 10;
    /** Spares kept per size class; more are left to the garbage collector. */
    private static final int SPARES_PER_CLASS = 8;

    private final int bufferSize;
    private final ByteBuffer scratch;
    private final List<ArrayDeque<ByteBuffer>> spare = new ArrayList<>();
    private final ArrayDeque<Pipe> sparePipes = new ArrayDeque<>();
    private boolean closed;

    BufferPool(int bufferSize) {
        this.bufferSize = bufferSize;
        this.scratch = ByteBuffer.allocateDirect(bufferSize);
    }

    /**
     * An empty pipe of up to the buffer size, or null when none can be opened (out of
     * descriptors): the caller copies instead.
     */
    Pipe takePipe() {
        Pipe p = sparePipes.poll();
        if (p != null || closed) {
            return p;
        }
        try {
            return Pipe.open(bufferSize);
        } catch (SyscallException e) {
            return null;
        }
    }

    /** Takes back an empty pipe; one that still holds data must be closed instead. */
    void givePipe(Pipe p) {
        if (!closed && sparePipes.size() < SPARES_PER_CLASS) {
            sparePipes.push(p);
        } else {
            closeQuietly(p);
        }
    }

    static void closeQuietly(Pipe p) {
        try {
            p.close();
        } catch (SyscallException e) {
            // closing anyway
        }
    }

    /** Closes the spare pipes; pipes given back later are closed at once. */
    @Override
    public void close() {
        closed = true;
        Pipe p;
        while ((p = sparePipes.poll()) != null) {
            closeQuietly(p);
        }
    }

    /** The buffer reads go through; its content is gone after the next read. */
    ByteBuffer scratch() {
        return scratch;
    }

    /** A buffer for {@code size} bytes of kept data: the smallest size class that holds them. */
    ByteBuffer take(int size) {
        int cls = 0;
        int capacity = MIN_READ;
        while (capacity < size) {
            capacity = Math.min(capacity * 4, bufferSize);
            cls++;
        }
        while (spare.size() <= cls) {
            spare.add(new ArrayDeque<>());
        }
        ByteBuffer b = spare.get(cls).poll();
        return b != null ? b.clear() : ByteBuffer.allocateDirect(capacity);
    }

    void give(ByteBuffer b) {
        int cls = 0;
        for (int c = MIN_READ; c < b.capacity(); c = Math.min(c * 4, bufferSize)) {
            cls++;
        }
        if (cls < spare.size() && spare.get(cls).size() < SPARES_PER_CLASS) {
            spare.get(cls).push(b);
        }
    }
}
