package io.lensboard.web.models;

import io.lensboard.runs.RunService;
import io.lensboard.runs.cluster.ReplicaInfo;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The replicas serving this lensboard: with H2 this process alone, with PostgreSQL every live one. */
@Path("/api/cluster")
@Produces(MediaType.APPLICATION_JSON)
public class ClusterResource {

    public record Cluster(List<ReplicaInfo> replicas) {}

    @Inject
    RunService runs;

    @GET
    @Operation(summary = "The replicas: their models held warm, free memory, current runs and last heartbeat")
    public Cluster get() {
        return new Cluster(runs.replicas());
    }
}
