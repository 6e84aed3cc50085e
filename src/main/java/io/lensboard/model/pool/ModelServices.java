package io.lensboard.model.pool;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.lensboard.LensboardConfig;
import io.lensboard.model.Dtype;
import io.lensboard.model.checkpoint.HubClient;
import io.lensboard.model.checkpoint.HubLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Wires the model layer (plain Java) into CDI from the configuration. */
@ApplicationScoped
public class ModelServices {

    /** The hub client models and tuned lenses download with, under the configured limits. */
    @Produces
    @Singleton
    HubClient hub(LensboardConfig config) {
        LensboardConfig.Hub c = config.hub();
        return HubClient.fromEnvironment(new HubLimits(c.maxFileBytes().asLongValue(), c.maxTotalBytes().asLongValue(),
                c.connectTimeout(), c.readTimeout()));
    }

    @Produces
    @Singleton
    ModelPool pool(LensboardConfig config, HubClient hub) {
        List<Path> dirs = config.models().dirs().orElse(List.of()).stream()
                .map(String::trim).filter(s -> !s.isEmpty()).map(Path::of).toList();
        // Nothing configured: ./models if there is one, and the hub's defaults, so a first run has models to show.
        ModelCatalog catalog = dirs.isEmpty()
                ? new ModelCatalog(List.of(Path.of("models")), hub, ModelCatalog.DEFAULT_HUB)
                : new ModelCatalog(dirs, hub);
        catalog = catalog.withDtypes(dtypes(config.models().dtypes().orElse(List.of())));
        DeviceThread device = new DeviceThread(device(config.device()));
        return new ModelPool(catalog, device, config.pool().memoryBudget().asLongValue());
    }

    void close(@Disposes ModelPool pool) {
        pool.close();
        pool.device().close();
    }

    /** "llama-7b-shape=bfloat16" entries as a map; a malformed one stops the start with its text. */
    static Map<String, Dtype> dtypes(List<String> entries) {
        Map<String, Dtype> out = new LinkedHashMap<>();
        for (String entry : entries) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.lastIndexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("lensboard.models.dtypes: '" + entry + "' is not ID=DTYPE (" + Dtype.allowed() + ")");
            }
            out.put(entry.substring(0, eq).trim(), Dtype.parse(entry.substring(eq + 1)));
        }
        return out;
    }

    private static Device device(String choice) {
        return switch (choice) {
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            case "auto" -> Engine.getEngine("PyTorch").getGpuCount() > 0 ? Device.gpu() : Device.cpu();
            default -> throw new IllegalArgumentException("lensboard.device must be auto, cpu or gpu, not '" + choice + "'");
        };
    }

    /** "cpu" or "gpu:0", as the API reports a device. */
    public static String name(Device device) {
        return device.isGpu() ? "gpu:" + device.getDeviceId() : device.getDeviceType();
    }
}
