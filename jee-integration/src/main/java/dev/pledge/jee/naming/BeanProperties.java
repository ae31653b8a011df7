package dev.pledge.jee.naming;

import dev.pledge.jee.ServiceConfiguration.Setting;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;

/** Setting the {@code xa.*} attributes of a JNDI reference on the provider's XA factory through its setters. */
final class BeanProperties {
    private BeanProperties() {
    }

    /** Sets every attribute whose key starts with {@code prefix} on {@code target}, the key without the prefix naming the property. */
    static void setAll(Object target, String prefix, Map<String, Setting> attributes) throws IllegalAccessException {
        for (Setting s : attributes.values()) {
            if (s.key().startsWith(prefix)) {
                set(target, s.key().substring(prefix.length()), s);
            }
        }
    }

    private static void set(Object xa, String property, Setting s) throws IllegalAccessException {
        set(xa, java.util.List.of(property), s);
    }

    /**
     * Calls the one-argument setter named after the first of {@code properties} that has one (any case,
     * hyphens dropped: {@code broker-url} is {@code setBrokerURL}) with the value converted to its type.
     */
    static void set(Object xa, java.util.List<String> properties, Setting s) throws IllegalAccessException {
        for (String property : properties) {
            if (trySet(xa, property.replace("-", ""), s)) {
                return;
            }
        }
        throw new IllegalArgumentException(xa.getClass().getName() + " has no setter for " + s
                + " taking a string, number or boolean");
    }

    private static boolean trySet(Object xa, String property, Setting s) throws IllegalAccessException {
        for (Method m : xa.getClass().getMethods()) {
            if (m.getParameterCount() == 1 && m.getName().equalsIgnoreCase("set" + property)) {
                Object value = convert(m.getParameterTypes()[0], s);
                if (value == null) {
                    continue;
                }
                try {
                    m.invoke(xa, value);
                    return true;
                } catch (InvocationTargetException e) {
                    throw new IllegalArgumentException("Setting " + s + " on " + xa.getClass().getName() + " failed: " + e.getCause(), e.getCause());
                }
            }
        }
        return false;
    }

    private static Object convert(Class<?> type, Setting s) {
        String v = s.value().trim();
        try {
            if (type == String.class) {
                return s.value();
            } else if (type == int.class || type == Integer.class) {
                return Integer.valueOf(v);
            } else if (type == long.class || type == Long.class) {
                return Long.valueOf(v);
            } else if (type == boolean.class || type == Boolean.class) {
                if (!v.equals("true") && !v.equals("false")) {
                    throw new IllegalArgumentException(s + " must be true or false");
                }
                return Boolean.valueOf(v);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(s + " is not a number", e);
        }
        return null;
    }

}
