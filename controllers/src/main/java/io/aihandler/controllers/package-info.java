/**
 * Reconcilers of ModelBackend, RoutingPolicy and Workflow, and the pure desired-state builders of
 * the objects they own (one owned kind per class). Depends on the API module only.
 */
package io.aihandler.controllers;
