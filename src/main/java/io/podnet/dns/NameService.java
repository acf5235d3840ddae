package io.podnet.dns;

/**
 * The engine's view of a namespace's name server: it is handed the whole record table after
 * every change and answers from it from then on. Implementations listen on the gateways of the
 * table's networks while the table has them.
 */
public interface NameService extends AutoCloseable {
    /** Replaces the table at once: a query sees the old one or this one. Listeners follow its networks. */
    void publish(DnsRecords records);

    /** Stops listening; the table is dropped. */
    @Override
    void close();
}
