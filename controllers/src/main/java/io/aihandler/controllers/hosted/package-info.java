/**
 * Hosted backends: resolving a ModelBackend's API key from its Secret, verifying it with the
 * provider's cheapest authenticated call, and copying it into the namespaces of the Workflows that
 * use the backend, where {@code spec.hosted.shareWith} admits them. Key values live only in {@link
 * io.aihandler.controllers.hosted.ApiKey}, whose text form is redacted, and in the Secrets
 * themselves.
 */
package io.aihandler.controllers.hosted;
