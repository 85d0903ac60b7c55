/**
 * The router configuration contract: the document the operator renders into a ConfigMap and the
 * sidecar reads from a file. Records only; depends on nothing but Jackson.
 */
package io.aihandler.router.config;
