/**
 * The router sidecar: an OpenAI-compatible HTTP server on localhost that routes, validates and
 * meters every LLM call of an application. It depends on no Kubernetes library.
 */
package io.aihandler.router;
