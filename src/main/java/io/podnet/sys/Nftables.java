package io.podnet.sys;

import java.nio.charset.StandardCharsets;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;

/**
 * One libnftables context with JSON output and buffered output and errors. Not thread-safe, and
 * bound to a network namespace: open it on a thread inside the namespace it should act on and
 * make every call from that same thread (the context's netlink socket belongs to the namespace
 * it was opened in, and libnftables reads other state from the calling thread).
 */
public final class Nftables implements AutoCloseable {
    private Pointer ctx;

    private Nftables(Pointer ctx) {
        this.ctx = ctx;
    }

    /** Loaded on first use, so that code paths without nftables do not need the library. */
    private static final class Lib {
        static final LibNftables NFT = LibraryLoader.create(LibNftables.class).load("nftables");
    }

    /** Opens a context in the calling thread's network namespace. */
    public static Nftables open() {
        LibNftables nft = Lib.NFT;
        Pointer ctx = nft.nft_ctx_new(LibNftables.NFT_CTX_DEFAULT);
        if (ctx == null) {
            throw new NftablesException("nft_ctx_new(NFT_CTX_DEFAULT)", "returned NULL (out of memory, or no netlink socket)");
        }
        try {
            nft.nft_ctx_output_set_flags(ctx, nft.nft_ctx_output_get_flags(ctx) | LibNftables.NFT_CTX_OUTPUT_JSON);
            if (nft.nft_ctx_buffer_output(ctx) != 0) {
                throw new NftablesException("nft_ctx_buffer_output", "cannot buffer output");
            }
            if (nft.nft_ctx_buffer_error(ctx) != 0) {
                throw new NftablesException("nft_ctx_buffer_error", "cannot buffer errors");
            }
        } catch (RuntimeException e) {
            nft.nft_ctx_free(ctx);
            throw e;
        }
        return new Nftables(ctx);
    }

    /**
     * Runs commands (a JSON document {@code {"nftables": [...]}}) as one transaction and returns
     * the JSON output (empty for commands that print nothing).
     *
     * @param what a short description of the commands for the error message
     */
    public String run(String commands, String what) {
        Pointer c = context();
        byte[] text = commands.getBytes(StandardCharsets.UTF_8);
        byte[] buf = new byte[text.length + 1];
        System.arraycopy(text, 0, buf, 0, text.length);
        int rc = Lib.NFT.nft_run_cmd_from_buffer(c, buf);
        String out = Lib.NFT.nft_ctx_get_output_buffer(c);
        String err = Lib.NFT.nft_ctx_get_error_buffer(c);
        if (rc != 0) {
            throw new NftablesException("nft_run_cmd_from_buffer(" + what + ")", err);
        }
        return out == null ? "" : out;
    }

    private Pointer context() {
        if (ctx == null) {
            throw new IllegalStateException("the nftables context is closed");
        }
        return ctx;
    }

    @Override
    public void close() {
        if (ctx != null) {
            Lib.NFT.nft_ctx_free(ctx);
            ctx = null;
        }
    }
}
