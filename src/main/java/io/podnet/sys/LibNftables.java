package io.podnet.sys;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;

/**
 * The libnftables calls podnet needs (libnftables.so.1), bound through jnr-ffi. Nothing outside
 * this package calls it: {@link Nftables} wraps a context and turns a failure into an
 * {@link NftablesException}. libnftables talks to the kernel over a netlink socket that the
 * context opens in {@code nft_ctx_new}, in the calling thread's network namespace.
 */
public interface LibNftables {
    /** nft_ctx_new flags: open the netlink socket now. */
    int NFT_CTX_DEFAULT = 0;
    /** nft_ctx_output_set_flags: JSON output, which also makes commands be parsed as JSON first. */
    int NFT_CTX_OUTPUT_JSON = 1 << 4;

    Pointer nft_ctx_new(int flags);

    void nft_ctx_free(Pointer ctx);

    int nft_ctx_output_get_flags(Pointer ctx);

    void nft_ctx_output_set_flags(Pointer ctx, int flags);

    int nft_ctx_buffer_output(Pointer ctx);

    int nft_ctx_buffer_error(Pointer ctx);

    /** Returns what was printed since the last call and empties the buffer. */
    String nft_ctx_get_output_buffer(Pointer ctx);

    String nft_ctx_get_error_buffer(Pointer ctx);

    /** @param buf NUL-terminated command text */
    int nft_run_cmd_from_buffer(Pointer ctx, @In byte[] buf);
}
