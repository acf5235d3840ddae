package io.podnet.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** RFC 7386's own examples (its appendix A), and a PodNetwork's network list replaced, not appended to. */
class MergePatchesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"a\":\"b\"}|{\"a\":\"c\"}|{\"a\":\"c\"}",
            "{\"a\":\"b\"}|{\"b\":\"c\"}|{\"a\":\"b\",\"b\":\"c\"}",
            "{\"a\":\"b\"}|{\"a\":null}|{}",
            "{\"a\":\"b\",\"b\":\"c\"}|{\"a\":null}|{\"b\":\"c\"}",
            "{\"a\":[\"b\"]}|{\"a\":\"c\"}|{\"a\":\"c\"}",
            "{\"a\":\"c\"}|{\"a\":[\"b\"]}|{\"a\":[\"b\"]}",
            "{\"a\":{\"b\":\"c\"}}|{\"a\":{\"b\":\"d\",\"c\":null}}|{\"a\":{\"b\":\"d\"}}",
            "{\"a\":[{\"b\":\"c\"}]}|{\"a\":[1]}|{\"a\":[1]}",
            "[\"a\",\"b\"]|[\"c\",\"d\"]|[\"c\",\"d\"]",
            "{\"a\":\"b\"}|[\"c\"]|[\"c\"]",
            "{\"a\":\"foo\"}|null|null",
            "{\"e\":null}|{\"a\":1}|{\"e\":null,\"a\":1}",
            "[1,2]|{\"a\":\"b\",\"c\":null}|{\"a\":\"b\"}",
            "{}|{\"a\":{\"bb\":{\"ccc\":null}}}|{\"a\":{\"bb\":{}}}",
            "{\"spec\":{\"networks\":[{\"name\":\"podnet\"}]}}|{\"spec\":{\"networks\":[{\"name\":\"podnet\"},{\"name\":\"backend\"}]}}"
                    + "|{\"spec\":{\"networks\":[{\"name\":\"podnet\"},{\"name\":\"backend\"}]}}"})
    void aMergePatchFollowsRfc7386(String target, String patch, String result) throws Exception {
        JsonNode merged = MergePatches.merge(JSON.readTree(target), JSON.readTree(patch));
        assertThat(merged).isEqualTo(JSON.readTree(result));
    }
}
