/**
 * The operator's own metrics: reconcile outcomes per kind, credential checks, autoscaler decisions
 * and per-backend state gauges. Every label comes from a resource kind, a fixed outcome enum or a
 * backend's namespace and name, never from free text, so cardinality is bounded by the number of
 * backends; a deleted backend's series are removed.
 */
package io.aihandler.controllers.metrics;
