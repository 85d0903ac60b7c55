/**
 * Reconcilers of ModelBackend, RoutingPolicy and Workflow around a small shared core.
 *
 * <ul>
 *   <li>{@code modelbackend}, {@code routing}, {@code workflow}: one package per primary kind, with
 *       its reconciler, its pure resolution and the builders of the objects it owns.
 *   <li>{@code vllm}, {@code autoscaling}, {@code hosted}: pure parts of a ModelBackend (the vLLM
 *       workload's builders, the scaling decision, key resolution and verification); they import no
 *       reconciler.
 *   <li>{@code owned}: the one applier of owned objects (one field manager), owner references and
 *       labels; {@code status}: conditions, the status patch, Events and the failure status.
 *   <li>{@code advisor}, {@code spillover}: second controllers of Workflows and ModelBackends that
 *       read the sidecars' metrics from Prometheus into status fields of their own.
 * </ul>
 *
 * Depends on the API module only.
 */
package io.aihandler.controllers;
