package io.lensboard.web.why;

import io.lensboard.analysis.AttentionPatterns;
import io.lensboard.why.AttentionService;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Every head's attention pattern as JSON and as a safetensors tensor (issue 24, item 1). */
@Path("/api")
public class AttentionResource {

    @Inject
    AttentionService attention;

    @GET
    @Path("/attention")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Every head's attention pattern (blocks.{l}.attn.hook_pattern): patterns[layer][head][query][key], "
            + "the causal softmax probabilities")
    public AttentionPatterns.Result patterns(@BeanParam AttentionParams params) {
        return attention.patterns(params.query());
    }

    @GET
    @Path("/attention.safetensors")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "The attention patterns as a safetensors file: tensor 'pattern' [L, H, T, T], float32")
    public Response safetensors(@BeanParam AttentionParams params) {
        AttentionPatterns.Result r = patterns(params);
        String name = ("attention-" + r.model() + "-" + r.dtype()).replaceAll("[^A-Za-z0-9._-]+", "_") + ".safetensors";
        return Response.ok(AttentionService.safetensors(r), MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"").build();
    }
}
