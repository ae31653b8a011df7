package dev.pledge.xa.jdbc;

import dev.pledge.tm.Redaction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Map;
import javax.sql.XADataSource;

/**
 * A driver's XA data source made from text, as configuration files give it: a class name and
 * properties set through the class's bean setters ({@code url} → {@code setUrl} or {@code setURL},
 * {@code login-timeout} → {@code setLoginTimeout}). Errors name the property, where it came from and
 * the fix, and never show the value of a password-like property.
 */
public final class XaDataSources {
    private XaDataSources() {
    }

    /**
     * Instantiates {@code className} (it must implement {@link XADataSource}; it is not initialized
     * before that is checked) and sets each of {@code properties} on it. {@code origin} says where the
     * settings came from (a file, a key prefix), for messages.
     */
    public static XADataSource create(String className, Map<String, String> properties, String origin, ClassLoader loader) {
        Class<?> type;
        try {
            type = Class.forName(className.trim(), false, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(origin + ": XA data source class " + className + " is not on the class path", e);
        }
        if (!XADataSource.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(origin + ": " + className + " is not a javax.sql.XADataSource");
        }
        XADataSource ds;
        try {
            ds = (XADataSource) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(origin + ": cannot create " + className + " (" + e + ")", e);
        }
        properties.forEach((key, value) -> set(ds, key, value, origin));
        return ds;
    }

    /**
     * Sets each of {@code properties} on {@code target} through its bean setter, as {@link #create}
     * does for a data source: for other drivers' objects configured the same way (the {@code pledge
     * recover} file's JMS connection factories). {@code origin} heads every error.
     */
    public static void setProperties(Object target, Map<String, String> properties, String origin) {
        properties.forEach((key, value) -> set(target, key, value, origin));
    }

    private static void set(Object target, String key, String value, String origin) {
        String setter = "set" + camel(key);
        String shown = key + "=" + Redaction.value(key, value);
        for (Method m : target.getClass().getMethods()) {
            if (m.getParameterCount() != 1 || !m.getName().equalsIgnoreCase(setter)) {
                continue;
            }
            Class<?> type = m.getParameterTypes()[0];
            Object converted;
            try {
                converted = convert(type, value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(origin + ": " + shown + " is not a number", e);
            } catch (IllegalArgumentException e) { // a boolean that is neither true nor false
                throw new IllegalArgumentException(origin + ": " + shown + " " + e.getMessage(), e);
            }
            if (converted == null) {
                continue;
            }
            try {
                m.invoke(target, converted);
                return;
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException(origin + ": setting " + shown + " on " + target.getClass().getName() + " failed: "
                        + Redaction.url(String.valueOf(e.getCause())), e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException(origin + ": cannot call " + m, e);
            }
        }
        throw new IllegalArgumentException(origin + ": " + target.getClass().getName() + " has no setter for '" + key
                + "' taking a string, number or boolean");
    }

    private static Object convert(Class<?> type, String value) {
        String v = value.trim();
        if (type == String.class) {
            return value;
        } else if (type == int.class || type == Integer.class) {
            return Integer.valueOf(v);
        } else if (type == long.class || type == Long.class) {
            return Long.valueOf(v);
        } else if (type == boolean.class || type == Boolean.class) {
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("must be true or false");
            }
            return Boolean.valueOf(v.toLowerCase(Locale.ROOT));
        }
        return null;
    }

    /** {@code login-timeout}, {@code login_timeout} and {@code login.timeout} → {@code LoginTimeout}. */
    static String camel(String key) {
        StringBuilder sb = new StringBuilder();
        boolean up = true;
        for (char c : key.toCharArray()) {
            if (c == '-' || c == '_' || c == '.') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return sb.toString();
    }
}
