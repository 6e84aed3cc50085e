package io.lensboard.images;

/** An image as stored (or made): its id, PNG or JPEG bytes and size in pixels. */
public record StoredImage(String id, String mediaType, int width, int height, byte[] data) {
    /** Made by the project, not uploaded: it cannot be deleted. */
    public boolean builtIn() {
        return BuiltinImages.isBuiltin(id);
    }
}
