package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where a backend's API key is; exactly one of the two. The key itself never appears in the
 * document.
 *
 * @param file path of a file holding the key (a mounted Secret); re-read when it changes, so keys
 *     rotate without a restart
 * @param env name of an environment variable holding the key (standalone use)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Credentials(String file, String env) {}
