package io.lensboard;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every lensboard setting; application.properties documents each once. */
@ConfigMapping(prefix = "lensboard")
public interface LensboardConfig {

    Models models();

    Lenses lenses();

    Pool pool();

    Runs runs();

    Streams streams();

    Cluster cluster();

    Images images();

    Corpora corpora();

    Hub hub();

    Http http();

    Debug debug();

    /** Where runs are stored (the H2 database file by default). */
    @WithDefault("./data")
    String dataDir();

    /** When set, the API needs it as a bearer token and the pages ask for it once (then a cookie). */
    Optional<String> token();

    /** Host names (besides loopback, addresses and this machine's) that requests may name; {@code *}: any. */
    Optional<List<String>> allowedHosts();

    /** auto (a GPU when PyTorch sees one), cpu or gpu. */
    @WithDefault("auto")
    String device();

    interface Models {
        /** Directories whose subdirectories are models (env LENSBOARD_MODELS_DIRS, comma-separated). */
        Optional<List<String>> dirs();

        /** Default dtypes of catalog entries, ID=DTYPE (env LENSBOARD_MODELS_DTYPES, comma-separated). */
        Optional<List<String>> dtypes();
    }

    interface Lenses {
        /** Directories whose subdirectories are tuned lenses (env LENSBOARD_LENSES_DIRS, comma-separated). */
        Optional<List<String>> dirs();
    }

    interface Corpora {
        /** Directories whose UTF-8 *.txt files are corpora (env LENSBOARD_CORPORA_DIRS, comma-separated). */
        Optional<List<String>> dirs();

        /** The largest corpus an upload may be. */
        @WithDefault("2M")
        MemorySize maxUpload();

        /** The most uploaded corpora kept at once (env LENSBOARD_CORPUS_QUOTA_COUNT); more uploads are refused with 409. */
        @WithDefault("200")
        int quotaCount();

        /** The most bytes of uploaded corpora kept at once (env LENSBOARD_CORPUS_QUOTA_BYTES). */
        @WithDefault("1G")
        MemorySize quotaBytes();
    }

    interface Runs {
        /** Runs waiting beyond the one running; more are refused with 429. */
        @WithDefault("16")
        int queueLimit();

        /** The kind a runs-page form post without a kind starts; its form is open first. */
        @WithDefault("reconstruction")
        String defaultKind();
    }

    /** The live event streams (a run's, a grid page's): caps and the stall after which a viewer is disconnected. */
    interface Streams {
        /** Streams open at once; more are answered 503 with Retry-After. */
        @WithDefault("1000")
        int max();

        /** Streams open at once from one client address. */
        @WithDefault("64")
        int maxPerClient();

        /** How long an event may wait to be written (the viewer reads nothing) before its connection is closed. */
        @WithDefault("30S")
        Duration stall();

        /** The Retry-After of a refused stream, in seconds. */
        @WithDefault("10")
        int retryAfter();
    }

    /** Replicas sharing one PostgreSQL; unused with H2. */
    interface Cluster {
        /** This replica's id; generated when unset. */
        Optional<String> replicaId();

        /** The URL other people reach this replica at; http://HOSTNAME:PORT when unset. */
        Optional<String> url();

        /** How long a claim lasts without a heartbeat before its run is queued again. */
        @WithDefault("30S")
        Duration lease();

        /** How often a replica reports itself and renews its run's lease. */
        @WithDefault("5S")
        Duration heartbeat();

        /** Tries of one run, the first included, before it fails for good. */
        @WithDefault("3")
        int maxAttempts();

        /** How long a run waits for a replica holding its model warm before any replica takes it. */
        @WithDefault("10S")
        Duration warmWait();

        /**
         * How often the run this replica executes writes its checkpoint (after a step, when this long has passed since
         * the last); 0S: after every step. A replica taking the run over recomputes at most this long.
         */
        @WithDefault("10S")
        Duration checkpointEvery();

        /** The largest checkpoint stored; a run whose state is larger is not checkpointed (its next attempt starts over). */
        @WithDefault("64M")
        MemorySize checkpointMaxSize();
    }

    interface Images {
        /** The largest image file accepted (the request body limit is 2M as well). */
        @WithDefault("2M")
        MemorySize maxBytes();

        /** The most pixels on either side of an uploaded image. */
        @WithDefault("4096")
        int maxSide();

        /** The most pixels in all (width x height), checked from the header before decoding. */
        @WithDefault("12000000")
        long maxPixels();

        /** The most uploaded images stored at once (env LENSBOARD_IMAGE_QUOTA_COUNT); more uploads are refused with 409. */
        @WithDefault("500")
        int quotaCount();

        /** The most bytes of uploaded images (as sent) stored at once (env LENSBOARD_IMAGE_QUOTA_BYTES). */
        @WithDefault("1G")
        MemorySize quotaBytes();

        /**
         * The most bytes of the uploaded images' stored decoded pixels (deflated 8-bit RGB; env
         * LENSBOARD_IMAGE_QUOTA_PIXEL_BYTES): a small file can hold a large picture, so they have a quota of their own.
         */
        @WithDefault("4G")
        MemorySize quotaPixelBytes();
    }

    /** Downloads from the Hugging Face hub (models and tuned lenses). */
    interface Hub {
        /** The largest file one download may take (env LENSBOARD_HUB_MAX_FILE_BYTES). */
        @WithDefault("16G")
        MemorySize maxFileBytes();

        /** The most bytes all files of one model (or lens) may take (env LENSBOARD_HUB_MAX_TOTAL_BYTES). */
        @WithDefault("32G")
        MemorySize maxTotalBytes();

        /** How long connecting to the hub may take (env LENSBOARD_HUB_CONNECT_TIMEOUT). */
        @WithDefault("10S")
        Duration connectTimeout();

        /** How long the hub may send nothing, before its answer or within a file (env LENSBOARD_HUB_READ_TIMEOUT). */
        @WithDefault("60S")
        Duration readTimeout();
    }

    /** What Quarkus's own HTTP settings (quarkus.http.*) lack. */
    interface Http {
        /**
         * How long a request's headers may take to arrive whole, from their first byte; then the connection is
         * answered 408 and closed, however steadily it trickles them (the idle timeout would wait on).
         */
        @WithDefault("10S")
        Duration headerDeadline();
    }

    interface Debug {
        /**
         * Fail loudly when an evicted model is used ({@link io.lensboard.model.TensorOwnership}); a JVM system property
         * ({@code -Dlensboard.debug.tensor-ownership=true}, on in tests), since the model layer reads it without CDI.
         */
        @WithDefault("false")
        boolean tensorOwnership();
    }

    interface Pool {
        /** Resident parameter memory above which idle models are evicted, least recently used first. */
        @WithDefault("8G")
        MemorySize memoryBudget();
    }
}
