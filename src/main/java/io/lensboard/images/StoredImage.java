package io.lensboard.images;

/** An image as stored (or made): its id, PNG or JPEG bytes and size in pixels. */
public record StoredImage(String id, String mediaType, int width, int height, byte[] data) {}
