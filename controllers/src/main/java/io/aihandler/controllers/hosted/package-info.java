/**
 * The pure parts of hosted backends, used by the ModelBackend and Workflow reconcilers: resolving a
 * ModelBackend's API key from its Secret, the provider probe and its verifier, the verification
 * schedule, {@code spec.hosted.shareWith} admission and the label of source Secrets. No reconciler
 * and no Kubernetes client lives here. Key values live only in {@link
 * io.aihandler.controllers.hosted.ApiKey}, whose text form is redacted, and in the Secrets
 * themselves.
 */
package io.aihandler.controllers.hosted;
