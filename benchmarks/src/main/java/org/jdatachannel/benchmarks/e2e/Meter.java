package org.jdatachannel.benchmarks.e2e;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Process-level cost meters of the harness: process CPU time, bytes allocated by all live threads,
 * CPU time per thread group, load average, threads, file descriptors, heap after GC, kernel UDP drop
 * counters. All static and thread-safe (they only read JVM/OS counters).
 */
final class Meter {
    private Meter() {
    }

    /** @return CPU time of the whole process (all threads, user + system), ns; -1 if unknown */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * Milliseconds the JIT compilers spent compiling since the JVM started (summed over the compiler
     * threads, which {@link ThreadSnapshot} cannot see), or -1 if the JVM does not say. Diagnostic:
     * a timed round during which this grows paid for compiling in its process CPU.
     */
    static long jitMillis() {
        java.lang.management.CompilationMXBean c = ManagementFactory.getCompilationMXBean();
        return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : -1;
    }

    /** @return milliseconds spent in garbage collections since the JVM started (all collectors), or -1 if unknown */
    static long gcMillis() {
        long sum = 0;
        for (java.lang.management.GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
            long t = g.getCollectionTime();
            if (t < 0) {
                return -1;
            }
            sum += t;
        }
        return sum;
    }

    /** @return the 1, 5 and 15 minute load averages from /proc/loadavg (else the MXBean's 1-minute one) */
    static double[] loadAverage() {
        try {
            String[] f = proc("/proc/loadavg").trim().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (IOException | RuntimeException e) {
            double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return new double[] {l, -1, -1};
        }
    }

    /** @return open file descriptors of this process (/proc/self/fd), -1 if unknown */
    static long openFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Reads a /proc or /sys file. (Not {@code Files.readString}: these files report size 0, and
     * JDK 17 then returns only their first byte.)
     */
    static String proc(String path) throws IOException {
        return String.join("\n", Files.readAllLines(Path.of(path))).trim();
    }

    /**
     * The largest classes of the live heap, through the HotSpot diagnostic command
     * {@code GC.class_histogram} (a full GC first).
     *
     * @param top lines wanted
     * @return one line per class: rank, instances, bytes, class name; empty if unavailable
     */
    static List<String> heapHistogram(int top) {
        try {
            Object r = ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            List<String> out = new ArrayList<>();
            for (String line : String.valueOf(r).split("\n")) {
                if (line.trim().matches("[0-9]+:.*") && out.size() < top) {
                    out.add(line.trim().replaceAll("\\s+", " "));
                }
            }
            return out;
        } catch (javax.management.JMException | RuntimeException e) {
            return List.of();
        }
    }

    /** @return live JVM threads */
    static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /**
     * Runs {@link System#gc()} twice and returns the heap in use afterwards.
     *
     * @return heap used after the collections, bytes
     */
    static long heapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** @return resident set size of the process from /proc/self/status (VmRSS), bytes; -1 if unknown */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }

    /**
     * System-wide UDP counters of /proc/net/snmp (InErrors, RcvbufErrors, SndbufErrors): the kernel's
     * drops for full socket buffers. System-wide, so other processes' UDP traffic counts too.
     *
     * @return counter name to value; empty if unreadable
     */
    static Map<String, Long> udpCounters() {
        Map<String, Long> m = new LinkedHashMap<>();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                    String[] k = lines.get(i).trim().split("\\s+");
                    String[] v = lines.get(i + 1).trim().split("\\s+");
                    for (int j = 1; j < k.length && j < v.length; j++) {
                        if (k[j].equals("InErrors") || k[j].equals("RcvbufErrors") || k[j].equals("SndbufErrors")) {
                            m.put(k[j], Long.parseLong(v[j]));
                        }
                    }
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return m;
    }

    /** @return {@code after - before} per key present in both */
    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            Long b = before.get(k);
            if (b != null) {
                d.put(k, v - b);
            }
        });
        return d;
    }

    /** @return the resource limits of this process worth knowing for the scale run (/proc/self/limits, cgroup) */
    static Map<String, String> limits() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max processes") || line.startsWith("Max open files")) {
                    String[] f = line.substring(25).trim().split("\\s+");
                    m.put(line.startsWith("Max processes") ? "maxProcesses" : "maxOpenFiles", f[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        for (String p : new String[] {"/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/pids/pids.max"}) {
            try {
                m.put("cgroupPidsMax", proc(p));
                break;
            } catch (IOException | RuntimeException e) {
                // try the next
            }
        }
        try {
            m.put("threadsMax", proc("/proc/sys/kernel/threads-max"));
            m.put("rmemMax", proc("/proc/sys/net/core/rmem_max"));
            m.put("wmemMax", proc("/proc/sys/net/core/wmem_max"));
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return m;
    }

    /**
     * A snapshot of per-thread counters (allocated bytes, CPU time) of every live thread, to
     * subtract later. Threads that end between two snapshots are not counted (the figures are
     * lower bounds when threads come and go).
     */
    static final class ThreadSnapshot {
        final Map<Long, Long> allocated = new HashMap<>();
        final Map<Long, Long> cpu = new HashMap<>();
        final Map<Long, String> names = new HashMap<>();

        static ThreadSnapshot take() {
            ThreadSnapshot s = new ThreadSnapshot();
            java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long[] ids = mx.getAllThreadIds();
            long[] alloc = null;
            if (mx instanceof com.sun.management.ThreadMXBean sun && sun.isThreadAllocatedMemorySupported()) {
                alloc = sun.getThreadAllocatedBytes(ids);
            }
            ThreadInfo[] infos = mx.getThreadInfo(ids);
            for (int i = 0; i < ids.length; i++) {
                if (alloc != null && alloc[i] >= 0) {
                    s.allocated.put(ids[i], alloc[i]);
                }
                long c = mx.isThreadCpuTimeSupported() ? mx.getThreadCpuTime(ids[i]) : -1;
                if (c >= 0) {
                    s.cpu.put(ids[i], c);
                }
                if (infos[i] != null) {
                    s.names.put(ids[i], infos[i].getThreadName());
                }
            }
            return s;
        }

        /** @return bytes allocated by threads alive at {@code later}, since this snapshot (0 for new ones) */
        long allocatedSince(ThreadSnapshot later) {
            long sum = 0;
            for (Map.Entry<Long, Long> e : later.allocated.entrySet()) {
                sum += e.getValue() - allocated.getOrDefault(e.getKey(), 0L);
            }
            return sum;
        }

        /**
         * CPU time per thread-name group (digits replaced by '#') between this snapshot and
         * {@code later}, largest first.
         *
         * @param top at most this many groups
         * @return group name to CPU ms
         */
        Map<String, Double> cpuMsByGroup(ThreadSnapshot later, int top) {
            Map<String, Long> g = new HashMap<>();
            for (Map.Entry<Long, Long> e : later.cpu.entrySet()) {
                long d = e.getValue() - cpu.getOrDefault(e.getKey(), 0L);
                g.merge(group(later.names.getOrDefault(e.getKey(), "?")), d, Long::sum);
            }
            List<Map.Entry<String, Long>> l = new ArrayList<>(g.entrySet());
            l.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
            Map<String, Double> out = new LinkedHashMap<>();
            for (int i = 0; i < l.size() && i < top; i++) {
                out.put(l.get(i).getKey(), Math.round(l.get(i).getValue() / 1e4) / 100.0);
            }
            return out;
        }
    }

    /** @return the thread name with each run of digits replaced by '#' */
    static String group(String threadName) {
        return threadName.replaceAll("[0-9]+", "#");
    }

    /** @return live threads grouped by {@link #group(String)}, sorted by name */
    static Map<String, Integer> threadsByGroup() {
        Map<String, Integer> m = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            m.merge(group(t.getName()), 1, Integer::sum);
        }
        return m;
    }
}
