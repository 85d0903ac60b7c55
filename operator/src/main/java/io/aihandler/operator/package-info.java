/**
 * The operator process: main, configuration, leader election, the sidecar-injecting admission
 * webhook with its TLS, health and Prometheus endpoints. Thin wiring around the controllers.
 */
package io.aihandler.operator;
