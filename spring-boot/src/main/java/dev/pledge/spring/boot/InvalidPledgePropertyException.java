package dev.pledge.spring.boot;

/** A {@code pledge.*} property whose value the transaction service cannot start with. */
public final class InvalidPledgePropertyException extends IllegalArgumentException {
    private final String property;
    private final Object value;

    InvalidPledgePropertyException(String property, Object value, String reason) {
        super("Invalid value '" + value + "' for '" + property + "': " + reason);
        this.property = property;
        this.value = value;
    }

    /** The property's full name, e.g. {@code pledge.node-name}. */
    public String property() {
        return property;
    }

    /** The value it was given. */
    public Object value() {
        return value;
    }
}
