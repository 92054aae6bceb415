package io.tasker.worker.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;
import java.util.Arrays;

/** The one shared, thread-safe Jackson mapper used for every FFI payload. */
public final class Json {

    /**
     * Lenient on unknown properties so records can map a subset of a payload. Buffers come from a shared pool, not
     * Jackson's default per-thread one: a virtual thread lives for one step, so a per-thread pool would allocate and
     * zero fresh buffers (about 12 KB) for every result it writes.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                    .build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private Json() {}

    public static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * UTF-8 JSON followed by a NUL byte: a C string the engine reads as is. Written straight to bytes instead of a
     * {@code String} that would be encoded again for the native call.
     */
    public static byte[] writeNul(Object value) {
        try {
            byte[] json = MAPPER.writeValueAsBytes(value);
            return Arrays.copyOf(json, json.length + 1);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
