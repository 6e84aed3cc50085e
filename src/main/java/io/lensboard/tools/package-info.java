/**
 * Command-line tools run beside the service, never by it (each has a {@code main}): {@link io.lensboard.tools.StoreCopy}
 * turns a single process's H2 store into a cluster's PostgreSQL one.
 */
package io.lensboard.tools;
