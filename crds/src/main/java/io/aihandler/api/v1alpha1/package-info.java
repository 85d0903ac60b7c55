/**
 * The AI Handler API, group {@code aihandler.io}, version {@code v1alpha1}: {@link
 * io.aihandler.api.v1alpha1.ModelBackend}, {@link io.aihandler.api.v1alpha1.RoutingPolicy} and
 * {@link io.aihandler.api.v1alpha1.Workflow}. Field descriptions here become the CRD's
 * descriptions, so they are written for {@code kubectl explain} readers.
 */
package io.aihandler.api.v1alpha1;
