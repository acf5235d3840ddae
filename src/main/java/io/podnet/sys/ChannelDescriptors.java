package io.podnet.sys;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.channels.SocketChannel;

/**
 * The file descriptor behind a JDK {@link SocketChannel}, for system calls the JDK does not
 * make (splice). The JDK has no public way to give it, and its package is closed to reflection
 * without JVM flags; so the descriptor is read from the field the JDK keeps it in
 * ({@code sun.nio.ch.SocketChannelImpl.fdVal}) through sun.misc.Unsafe (jdk.unsupported, open
 * to everyone). Where that field is not there (another JDK), {@link #available} is false and
 * callers keep to the channel's own read and write.
 */
public final class ChannelDescriptors {
    private static final Class<?> IMPL;
    private static final MethodHandle GET_INT;
    private static final Object UNSAFE;
    private static final long OFFSET;

    static {
        Class<?> impl = null;
        MethodHandle getInt = null;
        Object unsafe = null;
        long offset = -1;
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field the = unsafeClass.getDeclaredField("theUnsafe");
            the.setAccessible(true);
            unsafe = the.get(null);
            impl = Class.forName("sun.nio.ch.SocketChannelImpl");
            Field fdVal = impl.getDeclaredField("fdVal");
            if (fdVal.getType() != int.class) {
                throw new NoSuchFieldException("fdVal is not an int");
            }
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            offset = (long) lookup.findVirtual(unsafeClass, "objectFieldOffset", MethodType.methodType(long.class, Field.class))
                    .invoke(unsafe, fdVal);
            getInt = lookup.findVirtual(unsafeClass, "getInt", MethodType.methodType(int.class, Object.class, long.class));
        } catch (Throwable e) {
            impl = null;
            getInt = null;
            offset = -1;
        }
        IMPL = impl;
        GET_INT = getInt;
        UNSAFE = unsafe;
        OFFSET = offset;
    }

    private ChannelDescriptors() {
    }

    /** Whether descriptors can be read on this JDK. */
    public static boolean available() {
        return OFFSET >= 0;
    }

    /**
     * The channel's descriptor, or -1 when it cannot be known. Valid while the channel is open;
     * the caller must not use it after closing the channel.
     */
    public static int of(SocketChannel channel) {
        if (OFFSET < 0 || !IMPL.isInstance(channel) || !channel.isOpen()) {
            return -1;
        }
        try {
            return (int) GET_INT.invoke(UNSAFE, (Object) channel, OFFSET);
        } catch (Throwable e) {
            return -1;
        }
    }
}
