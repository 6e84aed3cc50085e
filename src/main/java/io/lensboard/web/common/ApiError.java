package io.lensboard.web.common;

/** The JSON body of every error: what went wrong and what to change. */
public record ApiError(int status, String error) {}
