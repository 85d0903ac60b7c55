/**
 * The activation endpoint: a router sidecar that needs a vLLM backend with no ready replica asks
 * the operator to wake it ({@code POST /activations} on the webhook listener). The caller is
 * authenticated by a TokenReview of its pod's projected ServiceAccount token and authorised only
 * when its namespace has a Workflow whose rendered config includes the backend.
 */
package io.aihandler.operator.activation;
