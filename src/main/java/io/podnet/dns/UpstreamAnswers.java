package io.podnet.dns;

import java.io.IOException;
import java.security.SecureRandom;

import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;

/**
 * The checks on what an upstream sends back before it goes to the client (RFC 5452): a response,
 * with the id this server chose, to the very question asked. Each upstream query gets a fresh
 * random id; the client's own id is put back into the answer, which is otherwise passed on as it
 * came.
 */
final class UpstreamAnswers {
    private final SecureRandom random = new SecureRandom();

    /** A fresh id for one upstream query. Called on one thread at a time per instance. */
    int nextId() {
        return random.nextInt(1 << 16);
    }

    /** {@code wire} with its id replaced. */
    static byte[] withId(byte[] wire, int id) {
        byte[] out = wire.clone();
        out[0] = (byte) (id >>> 8);
        out[1] = (byte) id;
        return out;
    }

    static int id(byte[] wire) {
        return ((wire[0] & 0xff) << 8) | (wire[1] & 0xff);
    }

    /** The answer as the client gets it (its id back), or null when it does not answer this query. */
    static byte[] accept(byte[] answer, int sentId, Message query) {
        if (answer.length < 12 || id(answer) != sentId) {
            return null;
        }
        Message m;
        try {
            m = new Message(answer);
        } catch (IOException e) {
            return null;
        }
        Record q = m.getQuestion();
        Record asked = query.getQuestion();
        if (!m.getHeader().getFlag(Flags.QR) || q == null || !q.getName().equals(asked.getName()) || q.getType() != asked.getType()
                || q.getDClass() != asked.getDClass()) {
            return null;
        }
        return withId(answer, query.getHeader().getID());
    }

    /** An answer another upstream may do better on: SERVFAIL or REFUSED. */
    static boolean tryNext(byte[] answer) {
        int rcode = answer[3] & 0x0f;
        return rcode == Rcode.SERVFAIL || rcode == Rcode.REFUSED;
    }
}
