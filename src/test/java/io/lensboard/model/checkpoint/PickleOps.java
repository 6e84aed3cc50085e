package io.lensboard.model.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes pickle bytes opcode by opcode, each under its name in Python's {@code pickletools}, so that a test's hostile
 * pickle reads as the program it is rather than as opaque bytes.
 */
public final class PickleOps {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public PickleOps proto(int version) {
        return op(0x80).raw(version);
    }

    public PickleOps mark() {
        return op('(');
    }

    public PickleOps emptyTuple() {
        return op(')');
    }

    public PickleOps tuple() {
        return op('t');
    }

    public PickleOps tuple2() {
        return op(0x86);
    }

    public PickleOps emptyDict() {
        return op('}');
    }

    public PickleOps emptyList() {
        return op(']');
    }

    public PickleOps append() {
        return op('a');
    }

    public PickleOps setItem() {
        return op('s');
    }

    public PickleOps none() {
        return op('N');
    }

    public PickleOps newFalse() {
        return op(0x89);
    }

    public PickleOps binint(int v) {
        return op('J').int32(v);
    }

    public PickleOps string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return op('X').int32(b.length).raw(b);
    }

    public PickleOps global(String module, String name) {
        return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    public PickleOps binput(int key) {
        return op('r').int32(key);
    }

    public PickleOps binget(int key) {
        return op('j').int32(key);
    }

    public PickleOps reduce() {
        return op('R');
    }

    public PickleOps binpersid() {
        return op('Q');
    }

    public PickleOps stop() {
        return op('.');
    }

    /** torch.save's persistent id of a storage: ('storage', torch.FloatStorage, key, 'cpu', numel). */
    public PickleOps floatStorage(String key, int numel) {
        return mark().string("storage").global("torch", "FloatStorage").string(key).string("cpu").binint(numel).tuple().binpersid();
    }

    /** torch._utils._rebuild_tensor_v2(storage, 0, (rows, cols), (cols, 1), False, OrderedDict()) of a float storage. */
    public PickleOps matrix(String storageKey, int numel, int rows, int cols) {
        global("torch._utils", "_rebuild_tensor_v2").mark().floatStorage(storageKey, numel);
        return binint(0).binint(rows).binint(cols).tuple2().binint(cols).binint(1).tuple2().newFalse()
                .global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    private PickleOps op(int code) {
        out.write(code);
        return this;
    }

    private PickleOps raw(int b) {
        out.write(b);
        return this;
    }

    private PickleOps raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    private PickleOps int32(int v) {
        return raw(v & 0xff).raw((v >> 8) & 0xff).raw((v >> 16) & 0xff).raw((v >>> 24) & 0xff);
    }
}
