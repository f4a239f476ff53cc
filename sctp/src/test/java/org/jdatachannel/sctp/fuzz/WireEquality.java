package org.jdatachannel.sctp.fuzz;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Structural equality of parsed wire values for round-trip properties. The wire records hold
 * {@code byte[]} and {@code int[]} components, whose record {@code equals} compares identity, so
 * this walks records component by component and compares arrays and lists element by element.
 *
 * <p>Stateless; thread-safe.
 */
final class WireEquality {
    private WireEquality() {
    }

    /**
     * @return null if {@code a} and {@code b} are structurally equal, otherwise the path of the first
     *     difference and both values, e.g. {@code "chunks[1].payload: ... != ..."}
     */
    static String difference(Object a, Object b) {
        return difference("", a, b);
    }

    private static String difference(String path, Object a, Object b) {
        if (a == b) {
            return null;
        }
        if (a == null || b == null || a.getClass() != b.getClass()) {
            return path + ": " + a + " != " + b;
        }
        Class<?> c = a.getClass();
        if (a instanceof byte[] ba) {
            int i = Arrays.mismatch(ba, (byte[]) b);
            return i < 0 ? null : path + ": byte arrays differ at index " + i + " (lengths " + ba.length + ", "
                    + ((byte[]) b).length + ")";
        }
        if (c.isArray()) {
            int n = Array.getLength(a);
            if (n != Array.getLength(b)) {
                return path + ": array length " + n + " != " + Array.getLength(b);
            }
            for (int i = 0; i < n; i++) {
                String d = difference(path + "[" + i + "]", Array.get(a, i), Array.get(b, i));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (a instanceof List<?> la) {
            List<?> lb = (List<?>) b;
            if (la.size() != lb.size()) {
                return path + ": list size " + la.size() + " != " + lb.size();
            }
            for (int i = 0; i < la.size(); i++) {
                String d = difference(path + "[" + i + "]", la.get(i), lb.get(i));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (c.isRecord()) {
            for (RecordComponent rc : c.getRecordComponents()) {
                String d = difference(path + "." + rc.getName(), get(rc, a), get(rc, b));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return Objects.equals(a, b) ? null : path + ": " + a + " != " + b;
    }

    private static Object get(RecordComponent rc, Object record) {
        Method m = rc.getAccessor();
        try {
            m.setAccessible(true);
            return m.invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + rc, e);
        }
    }
}
