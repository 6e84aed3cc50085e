package io.lensboard.model.pool;

import ai.djl.Device;
import io.lensboard.model.CheckpointException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * What a load may allocate, asked before it allocates anything: a model whose weights (its config's parameter count
 * in its dtype) exceed the memory the device has free is refused with a 422 naming the bytes, the pool's budget
 * and the free memory, rather than allocated until the process fails half-way. The budget is named but not
 * enforced here: it is the pool's target for evicting idle models, which a model just loaded may exceed alone.
 *
 * @param budgetBytes the pool's budget ({@code Long.MAX_VALUE}: none)
 * @param heldBytes   what the pool's models already hold
 * @param freeBytes   what the device can still give
 */
public record LoadMemory(long budgetBytes, long heldBytes, long freeBytes) {

    /** The memory free on {@code device} now: the GPU's own for CUDA, else the machine's (or its container's) available memory. */
    public static LoadMemory of(Device device, long budgetBytes, long heldBytes) {
        return new LoadMemory(budgetBytes, heldBytes, free(device));
    }

    /** Refuses (CheckpointException, 422) a model of {@code bytes} that cannot fit. */
    public void require(String id, long bytes, String dtype) {
        if (bytes > freeBytes) {
            throw new CheckpointException(id + " needs " + gib(bytes) + " (" + bytes + " bytes) for its weights in " + dtype
                    + ", but only " + gib(freeBytes) + " (" + freeBytes + " bytes) of memory is free (the pool's budget is "
                    + (budgetBytes == Long.MAX_VALUE ? "unlimited" : gib(budgetBytes) + " (" + budgetBytes + " bytes)")
                    + ", its models hold " + gib(heldBytes) + "); load it in a smaller dtype or on a larger machine");
        }
    }

    private static String gib(long bytes) {
        return String.format("%.2f GiB", bytes / (double) (1L << 30));
    }

    private static long free(Device device) {
        if (device.isGpu()) {
            var gpu = ai.djl.util.cuda.CudaUtils.getGpuMemory(device);
            return Math.max(0, gpu.getMax() - gpu.getUsed());
        }
        long free = meminfo("MemAvailable:").orElseGet(LoadMemory::osFree);
        OptionalLong limit = cgroup("memory.max");
        OptionalLong used = cgroup("memory.current");
        if (limit.isPresent() && used.isPresent()) {
            free = Math.min(free, Math.max(0, limit.getAsLong() - used.getAsLong()));
        }
        return free;
    }

    /** A /proc/meminfo line's value in bytes (Linux); empty elsewhere. */
    private static OptionalLong meminfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(key)) {
                    return OptionalLong.of(1024 * Long.parseLong(line.substring(key.length()).replace("kB", "").trim()));
                }
            }
        } catch (IOException | RuntimeException notLinux) {
            // fall back on the JVM's view of the machine
        }
        return OptionalLong.empty();
    }

    /** A cgroup v2 file of this process's container ("max" and absent files are no limit). */
    private static OptionalLong cgroup(String file) {
        try {
            String v = Files.readString(Path.of("/sys/fs/cgroup", file)).trim();
            return v.equals("max") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v));
        } catch (IOException | RuntimeException none) {
            return OptionalLong.empty();
        }
    }

    private static long osFree() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getFreeMemorySize();
        }
        return Long.MAX_VALUE; // nothing to ask: the load is not refused on a guess
    }
}
