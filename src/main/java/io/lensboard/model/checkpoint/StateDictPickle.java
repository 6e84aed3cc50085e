package io.lensboard.model.checkpoint;

import io.lensboard.model.CheckpointException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of pickle (protocols 2 to 4) that {@code torch.save} writes for a state dict of tensors: an ordered
 * dict, its {@code _metadata} (set by BUILD, ignored), and tensors rebuilt by {@code torch._utils._rebuild_tensor_v2}
 * from storages named by persistent ids. Nothing is ever executed: a GLOBAL outside {@link #ALLOWED} or a
 * REDUCE of anything but the two known callables ends the read with a {@link CheckpointException}.
 *
 * <p>Nor can a hostile pickle make the read itself expensive: the values it builds, the memo, each container's size
 * and the containers' nesting are bounded, a container that would hold itself (a cycle) is refused as it forms, and
 * nothing the pickle builds is ever hashed, compared or printed except strings and numbers (a dict key must be one),
 * so a tuple DAG of 2^40 paths costs 40 steps, not 2^40.
 */
final class StateDictPickle {
    /** A storage a tensor views: its element type (Float, Half, BFloat16), its record key in the zip, its length. */
    record Storage(String type, String key, long numel) {}

    /** A tensor as the pickle describes it: a strided view of a storage. */
    record TensorRef(Storage storage, long offset, long[] size, long[] stride) {}

    private record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    private static final Set<String> ALLOWED = Set.of("collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
            "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage");
    private static final Object MARK = new Object();
    private static final Object NONE = new Object();

    /** A state dict's pickle builds a few dozen values per tensor; a lens of 1,024 layers needs about 50,000. */
    static final int MAX_VALUES = 1 << 20;
    static final int MAX_MEMO = 1 << 20;
    /** Entries of one dict, list or tuple: a state dict of more tensors than this is no state dict. */
    static final int MAX_ITEMS = 1 << 18;
    /** A state dict nests three deep (its _metadata: dict of dicts of versions); a cycle nests without end. */
    static final int MAX_DEPTH = 32;

    /** A container's nesting depth (1 holds no container) and the containers that hold it, to raise theirs. */
    private static final class Nesting {
        int depth = 1;
        final List<Object> holders = new ArrayList<>(1);
    }

    private final ByteBuffer in;
    private final String file;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<Object, Nesting> nesting = new IdentityHashMap<>(); // by identity: never hashes a container
    private long values;

    private StateDictPickle(byte[] bytes, String file) {
        this.in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.file = file;
    }

    /** The state dict's tensors by name, in the file's order; {@code file} names the pickle in messages. */
    static Map<String, TensorRef> read(byte[] bytes, String file) {
        try {
            return new StateDictPickle(bytes, file).run();
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException | ClassCastException e) {
            throw refuse(file, "it is truncated or not a state dict of tensors (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Map<String, TensorRef> run() {
        while (true) {
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> in.get(); // PROTO n
                case 0x95 -> in.getLong(); // FRAME: a length hint only
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case ')' -> push(List.of()); // EMPTY_TUPLE
                case '(' -> push(MARK);
                case 't' -> push(tuple(popMark()));
                case 0x85 -> push(tuple(List.of(pop())));
                case 0x86 -> { Object b = pop(); push(tuple(List.of(pop(), b))); }
                case 0x87 -> { Object c = pop(); Object b = pop(); push(tuple(List.of(pop(), b, c))); }
                case 'N' -> push(NONE);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'K' -> push((long) (in.get() & 0xff));
                case 'M' -> push((long) (in.getShort() & 0xffff));
                case 'J' -> push((long) in.getInt());
                case 0x8a -> push(long1());
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT is big-endian
                case 'X' -> push(string(in.getInt() & 0xffffffffL));
                case 0x8c -> push(string(in.get() & 0xff)); // SHORT_BINUNICODE
                case 'c' -> push(global(line(), line()));
                case 'q' -> memoize((long) (in.get() & 0xff));
                case 'r' -> memoize(in.getInt() & 0xffffffffL);
                case 0x94 -> memoize((long) memo.size()); // MEMOIZE
                case 'h' -> push(memo(in.get() & 0xff));
                case 'j' -> push(memo(in.getInt() & 0xffffffffL));
                case 'Q' -> push(storage(pop()));
                case 'R' -> { Object args = pop(); push(reduce(pop(), args)); }
                case 'b' -> build(pop());
                case 's' -> { Object v = pop(); Object k = pop(); put(top(), k, v); }
                case 'u' -> setItems(popMark());
                case 'a' -> { Object v = pop(); append(top(), v); }
                case 'e' -> { List<Object> items = popMark(); for (Object v : items) append(top(), v); }
                case '.' -> { return stateDict(pop()); }
                default -> throw refuse(String.format("it uses pickle opcode 0x%02x, which a state dict of tensors never needs", op));
            }
        }
    }

    private Object global(String module, String name) {
        Global g = new Global(module, name);
        if (!ALLOWED.contains(g.toString())) {
            throw refuse("it refers to " + g + ", which is not part of a state dict of tensors (only " + String.join(", ", ALLOWED.stream().sorted().toList())
                    + " are allowed); it was not run");
        }
        return g;
    }

    private Object reduce(Object callable, Object tuple) {
        if (!(callable instanceof Global) || !(tuple instanceof List<?> args)) {
            // never printed: a tuple DAG's text is exponentially long
            throw refuse("it calls a " + describe(callable) + " with a " + describe(tuple) + ", which a state dict of tensors never does");
        }
        String name = callable.toString();
        if (name.equals("collections.OrderedDict") && args.isEmpty()) {
            return new LinkedHashMap<>();
        }
        if (name.equals("torch._utils._rebuild_tensor_v2") && (args.size() == 6 || args.size() == 7)
                && args.get(0) instanceof Storage s && args.get(1) instanceof Long offset) {
            return new TensorRef(s, offset, longs(args.get(2)), longs(args.get(3)));
        }
        throw refuse("it calls " + name + " with " + args.size() + " arguments, which a state dict of tensors never does");
    }

    /** BINPERSID's id: ('storage', torch.FloatStorage, key, location, numel). */
    private Storage storage(Object pid) {
        if (pid instanceof List<?> t && t.size() == 5 && "storage".equals(t.get(0)) && t.get(1) instanceof Global g
                && g.name.endsWith("Storage") && t.get(2) instanceof String key && t.get(4) instanceof Long numel
                && key.matches("[\\w.-]{1,64}") && numel >= 0) {
            return new Storage(g.name.substring(0, g.name.length() - "Storage".length()), key, numel);
        }
        throw refuse("it has a persistent id that is not a tensor storage");
    }

    /** BUILD: the ordered dict's {@code _metadata} (module versions) is all a state dict sets; it is ignored. */
    private void build(Object state) {
        if (!(top() instanceof Map) || !(state instanceof Map || state == NONE)) {
            throw refuse("it sets the state of an object that is not an ordered dict");
        }
    }

    private void setItems(List<Object> items) {
        for (int i = 0; i + 1 < items.size(); i += 2) {
            put(top(), items.get(i), items.get(i + 1));
        }
    }

    /** SETITEM: only a string or a number may be a key, so that hashing it costs its own length and no more. */
    private void put(Object target, Object key, Object value) {
        Map<Object, Object> d = dict(target);
        if (!(key instanceof String || key instanceof Long || key instanceof Double || key instanceof Boolean || key == NONE)) {
            throw refuse("it uses a " + describe(key) + " as a dict key; a state dict's keys are names");
        }
        if (d.size() >= MAX_ITEMS) {
            throw refuse("a dict has more than " + MAX_ITEMS + " entries");
        }
        d.put(key, value);
        hold(d, value);
    }

    private void append(Object target, Object value) {
        List<Object> l = list(target);
        if (l.size() >= MAX_ITEMS) {
            throw refuse("a list has more than " + MAX_ITEMS + " items");
        }
        l.add(value);
        hold(l, value);
    }

    /** A tuple of {@code items}, its nesting recorded; the items are already built, so a tuple never holds itself. */
    private List<Object> tuple(List<Object> items) {
        if (items.size() > MAX_ITEMS) {
            throw refuse("a tuple has more than " + MAX_ITEMS + " items");
        }
        List<Object> t = List.copyOf(items);
        for (Object item : t) {
            hold(t, item);
        }
        return t;
    }

    /** Records that {@code holder} holds {@code value}; a container in a container deepens its holders. */
    private void hold(Object holder, Object value) {
        values++;
        if (value instanceof Map || value instanceof List) {
            nesting(value).holders.add(holder);
            deepen(holder, nesting(value).depth + 1);
        }
    }

    /**
     * Raises {@code container}'s depth to {@code depth} and its holders' after it. Each raise adds one level and stops
     * at {@link #MAX_DEPTH}, so this recursion is shallow and its work bounded; a cycle raises itself round and round
     * until it passes the limit, and is refused there.
     */
    private void deepen(Object container, int depth) {
        Nesting n = nesting(container);
        if (depth <= n.depth) {
            return;
        }
        if (depth > MAX_DEPTH) {
            throw refuse("its lists, tuples and dicts nest more than " + MAX_DEPTH + " deep, or one holds itself");
        }
        n.depth = depth;
        for (int i = 0; i < n.holders.size(); i++) {
            deepen(n.holders.get(i), depth + 1);
        }
    }

    private Nesting nesting(Object container) {
        return nesting.computeIfAbsent(container, c -> new Nesting());
    }

    private void memoize(long key) {
        if (memo.size() >= MAX_MEMO && !memo.containsKey(key)) {
            throw refuse("it stores more than " + MAX_MEMO + " memo entries");
        }
        memo.put(key, top());
    }

    private Map<String, TensorRef> stateDict(Object result) {
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        if (!(result instanceof Map<?, ?> d)) {
            throw refuse("it holds a " + describe(result) + ", not a dict of tensors");
        }
        for (Map.Entry<?, ?> e : d.entrySet()) {
            if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof TensorRef t)) {
                throw refuse("its entry " + e.getKey() + " is a " + describe(e.getValue()) + ", not a tensor");
            }
            tensors.put(name, t);
        }
        return tensors;
    }

    private static String describe(Object o) {
        return o instanceof Map ? "dict" : o instanceof List ? "tuple or list" : o == NONE ? "None" : o.getClass().getSimpleName();
    }

    private long[] longs(Object tuple) {
        if (!(tuple instanceof List<?> t) || t.size() > 64) {
            throw refuse("a tensor's sizes or strides are not a tuple of at most 64 integers");
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Long) t.get(i);
        }
        return out;
    }

    private long long1() {
        int n = in.get() & 0xff;
        if (n > 8) {
            throw refuse("it has an integer of " + n + " bytes");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) (in.get() & 0xff) << (8 * i);
        }
        return n > 0 && n < 8 ? v << (64 - 8 * n) >> (64 - 8 * n) : v; // two's complement, sign-extended
    }

    private String string(long n) {
        if (n > in.remaining()) {
            throw refuse("a string runs past its end");
        }
        byte[] b = new byte[(int) n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private String line() {
        StringBuilder s = new StringBuilder();
        for (byte b; (b = in.get()) != '\n'; ) {
            if (s.length() > 200) {
                throw refuse("a GLOBAL name is too long");
            }
            s.append((char) (b & 0xff));
        }
        return s.toString();
    }

    private Object memo(long key) {
        Object o = memo.get(key);
        if (o == null) {
            throw refuse("it reads memo entry " + key + ", which was never stored");
        }
        return o;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (!(o instanceof LinkedHashMap)) {
            throw refuse("it sets items on a " + describe(o));
        }
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (!(o instanceof ArrayList)) {
            throw refuse("it appends to a " + describe(o));
        }
        return (List<Object>) o;
    }

    private void push(Object o) {
        if (++values > MAX_VALUES) {
            throw refuse("it builds more than " + MAX_VALUES + " values; a state dict's pickle builds a few dozen per tensor");
        }
        stack.add(o);
    }

    private Object top() {
        return stack.get(stack.size() - 1);
    }

    private Object pop() {
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) {
            throw refuse("a MARK is used as a value");
        }
        return o;
    }

    private List<Object> popMark() {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) {
            throw refuse("it has no MARK where one is needed");
        }
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private CheckpointException refuse(String why) {
        return refuse(file, why);
    }

    private static CheckpointException refuse(String file, String why) {
        return new CheckpointException(file + ": refusing the pickle: " + why);
    }
}
