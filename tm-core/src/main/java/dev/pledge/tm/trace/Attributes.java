package dev.pledge.tm.trace;

import io.opentelemetry.api.common.AttributeKey;

/** The span attributes (see docs/operations.md). */
final class Attributes {
    static final AttributeKey<String> GTRID = AttributeKey.stringKey("pledge.gtrid");
    static final AttributeKey<String> NODE = AttributeKey.stringKey("pledge.node");
    static final AttributeKey<String> RESOURCE = AttributeKey.stringKey("pledge.resource");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("pledge.outcome");
    static final AttributeKey<Long> XA_CODE = AttributeKey.longKey("pledge.xa_code");
    static final AttributeKey<Long> BRANCHES = AttributeKey.longKey("pledge.log.branches");
    static final AttributeKey<Long> LOG_BYTES = AttributeKey.longKey("pledge.log.bytes");
    static final AttributeKey<Long> LOG_GROUP_SIZE = AttributeKey.longKey("pledge.log.group_size");
    static final AttributeKey<Long> LOG_FORCE_US = AttributeKey.longKey("pledge.log.force_us");

    private Attributes() {
    }
}
